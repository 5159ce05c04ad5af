#!/bin/sh
# check.sh RESULTS "STUDIES" "FIGURES" — what `make sweep` must have produced:
# for every study RESULTS/<study>.csv (a header and at least one row, every row
# as wide as the header) and RESULTS/<study>.json; RESULTS/complexity.csv with
# a row per loss; for every figure RESULTS/figures/<figure>.png (a PNG) and .svg.
# A learning study (learn_*): its JSON describes the training, every point's
# last evaluation is there, and every setting ran on at least 3 seeds.
# Every RESULTS/*.meta.gp (sweep, merge, roofline) gives each loss of its CSV a
# title and colour (TITLE_<loss>, COLOUR_<loss>: without them plots/common.gp
# draws the loss grey under its raw name).
# Prints what is missing and exits 1, or prints a summary and exits 0.
set -u
R=$1; studies=$2; figures=$3
bad=0
miss() { echo "sweep-check: $*" >&2; bad=1; }
for s in $studies; do
    c="$R/$s.csv"; j="$R/$s.json"
    if [ ! -s "$c" ]; then miss "$c is missing or empty"; continue; fi
    rows=$(($(wc -l < "$c") - 1))
    [ "$rows" -ge 1 ] || miss "$c has no rows"
    head -1 "$c" | grep -q '^study,point,kind,name,' || miss "$c: unexpected header"
    awk -F, 'NR==1{n=NF} NF!=n{print FILENAME": line "NR" has "NF" fields, the header "n; bad=1} END{exit bad}' "$c" >&2 || bad=1
    [ -s "$j" ] && grep -q '"git"' "$j" && grep -q '"cpu"' "$j" || miss "$j is missing or lacks provenance"
    [ ! -e "$R/$s.partial.csv" ] || miss "$R/$s.partial.csv is left over: the study did not finish"
    # (a hyperparameter search, learn_*_tune, picks on one seed; what it
    # picks runs on three in the study it feeds)
    min_seeds=3; case $s in *_tune) min_seeds=1 ;; esac
    case $s in learn_*)
        grep -q '"training"' "$j" || miss "$j lacks the training description"
        # a train point's key without its seed names its setting
        awk -F, -v min=$min_seeds 'NR==1{for(i=1;i<=NF;i++)c[$i]=i; next} $c["kind"]=="train"{k=$c["key"]; last[k]=$c["epoch"]==$c["epochs"]; s=k; sub(/;seed=[0-9]+/, "", s); if(!((s,$c["seed"]) in seen)){seen[s,$c["seed"]]=1; n[s]++}}
                 END{for(k in last) if(!last[k]){print FILENAME": point "k" lacks its last evaluation"; bad=1}
                     for(s in n) if(n[s]<min){print FILENAME": "s" ran on "n[s]" seed(s), fewer than "min; bad=1}; exit bad}' "$c" >&2 || bad=1 ;;
    esac
    echo "sweep-check: $c: $rows rows"
done
for m in "$R"/*.meta.gp; do
    c="${m%.meta.gp}.csv"
    [ -s "$c" ] || continue
    for l in $(awk -F, 'NR==1{for(i=1;i<=NF;i++)c[$i]=i; next} ($c["kind"]=="loss"||$c["kind"]=="train"||$c["kind"]=="step"){print $c["name"]}' "$c" | sort -u); do
        grep -q "^TITLE_$l = " "$m" && grep -q "^COLOUR_$l = " "$m" || miss "$m gives $l no TITLE_/COLOUR_ line"
    done
done
cx="$R/complexity.csv"
if [ -s "$cx" ]; then
    n=$(($(wc -l < "$cx") - 1))
    [ "$n" -ge 4 ] || miss "$cx has $n rows, expected one per loss (4)"
else
    miss "$cx is missing"
fi
for f in $figures; do
    p="$R/figures/$f.png"; v="$R/figures/$f.svg"
    if [ -s "$p" ] && [ "$(od -An -tx1 -N4 "$p" | tr -d ' \n')" = "89504e47" ]; then :; else miss "$p is missing or not a PNG"; fi
    [ -s "$v" ] && grep -q '<svg' "$v" || miss "$v is missing or not an SVG"
done
[ $bad -eq 0 ] && echo "sweep-check: $(echo $studies | wc -w) studies, $(echo $figures | wc -w) figures (PNG + SVG) in $R: ok"
exit $bad
