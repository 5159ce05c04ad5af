# prov.awk — one table row of provenance from a study's JSON: study, rows,
# date, commit (+dirty), CPU model and cores, and how long it ran (a merged
# study: its slowest shard, the shards having run side by side).
#   awk -v study=S -v rows=N -f prov.awk results/S.json
function str(key,    s) { s = $0; sub(".*\"" key "\": \"", "", s); sub(/".*/, "", s); return s }
function num(key,    s) { s = $0; sub(".*\"" key "\": ", "", s); sub(/[,}].*/, "", s); return s + 0 }
/"date": "/ && date == "" { date = str("date") }
/"commit": "/ && commit == "" { commit = substr(str("commit"), 1, 10); if ($0 ~ /"dirty": true/) commit = commit "+dirty" }
/"model": "/ && model == "" { model = str("model") }
/"cores": / && cores == "" { cores = num("cores") }
/^  "elapsed_s": / { top = num("elapsed_s") }
/"shard": [0-9]+, "of": / { ns++; e = num("elapsed_s"); if (e > slow) slow = e }
END {
    took = top != "" ? sprintf("%.0f s", top) : sprintf("%.0f s (slowest of %d shards)", slow, ns)
    printf "| %s | %s | %s | %s | %s, %s cores | %s |\n", study, rows, date, commit, model, cores, took
}
