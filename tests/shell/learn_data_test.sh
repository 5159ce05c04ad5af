#!/usr/bin/env bash
# learn_data_test.sh [BIN] — the learning studies on any IDX set (the `data`
# key): a tiny class-disjoint set written here (train / val / t10k, int32
# labels, 8 x 8 images) trains through `dmlbench sweep` with the val and test
# protocols, the convolutional front end, per_class and proxy_lr_mult, and
# its CSV says so; bad `data` values and a set without its val files are
# refused with one line.  Ends with "N passed, N failed"; exit 1 when one failed.
NAME=learn_data_test
. "$(dirname "$0")/lib.sh"

# The set: 12 training, 4 validation and 6 test classes of 8 drawings, each
# class a random 8 x 8 pattern plus noise (python3 writes IDX as the format says).
python3 - "$W/set" <<'PY'
import gzip, os, random, struct, sys
d = sys.argv[1]; os.makedirs(d)
rnd = random.Random(7)
def write(path, typ, dims, values):
    fmt = ">" + ("B" if typ == 8 else "i") * len(values)
    with gzip.open(path, "wb") as f:
        f.write(struct.pack(">BBBB", 0, 0, typ, len(dims)) + b"".join(struct.pack(">I", n) for n in dims))
        f.write(struct.pack(fmt, *values))
for split, classes in (("train", 12), ("val", 4), ("t10k", 6)):
    px, lb = [], []
    for c in range(classes):
        proto = [rnd.random() < 0.3 for _ in range(64)]
        for _ in range(8):
            px += [min(255, max(0, int(200 * p + rnd.gauss(0, 30)))) for p in proto]
            lb.append(c)
    write(f"{d}/{split}-images-idx3-ubyte.gz", 8, (len(lb), 8, 8), px)
    write(f"{d}/{split}-labels-idx1-ubyte.gz", 0x0C, (len(lb),), lb)
PY

cat > "$W/glyphish.txt" <<DEF
study   glyphish
data    $W/set
train   proxy_anchor
baseline pixels
protocol val test
M       24
per_class 3
D       8
H       16
conv    2
epochs  2
eval_every 2
eval_untrained 0
proxy_lr_mult 1 10
seed    0
DEF
if "$BIN" sweep --out "$W/out" "$W/glyphish.txt" 2> "$W/run.log"; then
    # 2 protocols x 2 multipliers, one evaluation each; 2 baseline lines a protocol
    python3 - "$W/out/glyphish.csv" "$W/set" > "$W/check.log" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
train = [r for r in rows if r["kind"] == "train"]
base = [r for r in rows if r["kind"] == "baseline"]
assert len(train) == 4 and len(base) == 4, (len(train), len(base))
assert {(r["protocol"], r["proxy_lr_mult"]) for r in train} == {("val", "1"), ("val", "10"), ("test", "1"), ("test", "10")}
assert all(r["data"] == sys.argv[2] and r["conv"] == "2" and r["per_class"] == "3" for r in train)
q = {r["protocol"]: r["queries"] for r in train}
assert q == {"val": "32", "test": "48"}, q   # the val and t10k files' own drawings
assert all(0 <= float(r["map_at_r"]) <= 1 for r in rows)
print("ok")
PY
    [ "$(cat "$W/check.log")" = ok ] && ok "a class-disjoint IDX set trains (val, test; conv 2, per_class 3, proxy_lr_mult 1 and 10)" \
        || bad "the glyph-like study's CSV: $(tail -2 "$W/check.log")"
else
    bad "the glyph-like study did not run: $(tail -1 "$W/run.log")"
fi

# refused NAME PATTERN DEF: `dmlbench sweep DEF` exits 1 with one line matching PATTERN
refused() {
    "$BIN" sweep --out "$W/refused" "$3" > /dev/null 2> "$W/stderr"
    local rc=$? lines; lines=$(wc -l < "$W/stderr")
    if [ $rc -eq 1 ] && [ "$lines" -eq 1 ] && grep -q -- "$2" "$W/stderr"; then ok "$1: $(cat "$W/stderr")"
    else bad "$1: exit $rc, $lines line(s), expected /$2/: $(cat "$W/stderr")"; fi
}
printf 'train ms\ndata a,b\n' > "$W/comma.txt"
refused "data with a comma" "comma.txt:2: data: 'a,b' has a comma" "$W/comma.txt"
mkdir "$W/noval" && cp "$W/set"/train-* "$W/set"/t10k-* "$W/noval/"
printf 'train ms\ndata %s\nprotocol val\nM 24\nepochs 1\nseed 0\n' "$W/noval" > "$W/noval.txt"
# (found when the point runs: its error is the run's last line, after the progress lines)
"$BIN" sweep --out "$W/noval-out" "$W/noval.txt" > /dev/null 2> "$W/stderr"
rc=$?
if [ $rc -eq 1 ] && tail -1 "$W/stderr" | grep -q "noval/val-images-idx3-ubyte: cannot open"; then
    ok "a set without val files: $(tail -1 "$W/stderr" | sed 's/.*): //')"
else
    bad "a set without val files: exit $rc: $(tail -1 "$W/stderr")"
fi
printf 'train ms\ndata %s\nM 24\nper_class 30\nseed 0\n' "$W/set" > "$W/pc.txt"
refused "per_class above M" "pc.txt:4: per_class 30 is more than the batch" "$W/pc.txt"
# dmlbench train: an image too small for two stride-2 convolutions is refused
if "$BIN" train --loss ms --data "$W/set" --protocol test --conv 2000 --M 24 --epochs 1 --no-baseline \
     > /dev/null 2> "$W/conv.log"; then bad "conv 2000 accepted"
else grep -q "out of range" "$W/conv.log" && ok "conv 2000 refused: $(tail -1 "$W/conv.log")" || bad "conv 2000: $(tail -1 "$W/conv.log")"; fi
summary
