#!/bin/sh
# learn_scripts_test.sh — the scripts that turn learning runs into the numbers
# the docs link (no training here, a second at most):
#   - compare_torch_report.py: per-seed rows, medians, and the verdicts against
#     issue 21's targets, "met" and "NOT met" both reached;
#   - learn_budget.py: a study definition expands to the runs, baselines and
#     evaluations `dmlbench sweep` runs (checked on the committed studies);
#   - verdicts.py: the Tables claim and the glyph study tables from CSVs.
set -eu
cd "$(dirname "$0")/../.."
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "learn_scripts_test: $*" >&2; exit 1; }

# --- compare_torch_report.py: seeds 0, 1, 2 with a gap of +0.2, -0.4, +0.1 points, 6x/5x/7x
run() {  # seed r1_dml r1_torch cpu_dml cpu_torch
    printf '{"rows": [{"recall": [%s], "map_at_r": 0.5, "train_cpu_s": %s, "train_s": %s}]}\n' "$2" "$4" "$4" > "$T/c$1.json"
    printf '{"torch": "x", "loss_impl": "y", "args": {}, "rows": [{"recall_at_1": %s, "map_at_r": 0.5, "train_cpu_s": %s, "train_s": %s}]}\n' \
        "$3" "$5" "$5" > "$T/t$1.json"
}
run 0 0.902 0.900 2 12; run 1 0.896 0.900 2 10; run 2 0.901 0.900 2 14
python3 scripts/compare_torch_report.py "$T" "$T/out" 0 1 2 > /dev/null
[ "$(wc -l < "$T/out.csv")" -eq 4 ] || fail "compare report: not one row a seed"
grep -q "median +0.10 (-0.40 to +0.20) points" "$T/out.md" || fail "compare report: per-seed gap median/range wrong"
grep -q "Target |gap| ≤ 1.5: \*\*met\*\*" "$T/out.md" || fail "compare report: a 0.1-point gap is not 'met'"
grep -q "median 6.00 (5.00 to 7.00) ×.*\*\*met\*\*" "$T/out.md" || fail "compare report: speed ratio wrong"
run 1 0.870 0.900 2 4; run 2 0.880 0.900 2 4
python3 scripts/compare_torch_report.py "$T" "$T/out" 0 1 2 > /dev/null
grep -q "Target |gap| ≤ 1.5: \*\*NOT met\*\*" "$T/out.md" || fail "compare report: a 2-point gap passes"
grep -q "Target ≥ 3.0 ×: \*\*NOT met\*\*" "$T/out.md" || fail "compare report: a 2x ratio passes"

# --- learn_budget.py: the committed definitions expand as the sweep expands them
python3 - <<'PY' || fail "learn_budget: a study expands wrongly"
import sys
sys.path.insert(0, "scripts")
import learn_budget as b
runs, base = b.parse_study("experiments/learn_protocol.txt")
assert len(runs) == 12 and {r["protocol"] for r in runs} == {"open"}, runs[:2]
assert base == [("fashion-mnist", "closed"), ("fashion-mnist", "open")], base
assert [r["include_positive"] for r in runs if r["loss"] == "proxy_nca"] == ["1"] * 3
runs, base = b.parse_study("experiments/learn_time.txt")
assert len(runs) == 12 and all(b.n_evals(r) == 5 for r in runs)          # untrained + 4 epochs
runs, _ = b.parse_study("experiments/learn_glyph_batch.txt")
assert len(runs) == 9 and all(b.n_evals(r) == 1 and r["data"] == "glyphs" for r in runs)
PY

# --- verdicts.py: the Tables claim, and a glyph study's table by its varied key
H=study,kind,name,seed,epoch,epochs,M,D,alpha,delta,proxy_lr_mult,beta,margin,recall_at_1,map_at_r,train_cpu_s
{ echo "$H"
  for s in 0 1 2; do
    echo "learn_glyph_time,train,proxy_anchor,$s,4,4,180,128,32,0.1,1,,,0.90$s,0.54,6"
    echo "learn_glyph_time,train,normalized_softmax,$s,4,4,180,128,,,10,,,0.91$s,0.56,5"
  done
  echo "learn_glyph_time,baseline,pixels,,0,,,,,,,,,0.88,0.42,"; } > "$T/learn_glyph_time.csv"
python3 scripts/verdicts.py "$T" "$T/v.md" > /dev/null
grep -q "Tables 1–3.*| glyphs | Recall@1 | \*\*not reproduced\*\*" "$T/v.md" || fail "verdicts: PA under NormSoftmax is not 'not reproduced'"
grep -qF "| NormalizedSoftmax | 0.911 (0.910–0.912, n=3) | 0.560 (0.560–0.560, n=3) | 5.0 |" "$T/v.md" \
    || fail "verdicts: the glyph table's NormalizedSoftmax row is not the median (range) of its seeds"
grep -q "| pixels (no training) |" "$T/v.md" || fail "verdicts: the pixel baseline is missing from the glyph table"
echo "learn_scripts_test: ok"
