#!/usr/bin/env bash
# glyph_test.sh [BIN] — `dmlbench data glyphs` on the three small fonts make
# test installs (scripts/deps.sh glyph-test): two builds give the same bytes
# (and so do 1 and 2 threads, and a rebuild in place); the splits share no
# character; manifest.json lists every face with the version dpkg has and the
# sha256 of its file, and every IDX file's hash; tests/shell/idx_read.py, a reader
# apart from ours, reads every file with the counts the manifest gives; every
# bad input is one line and a non-zero exit that leaves no set behind; a
# killed build leaves the old set whole.  Ends with "N passed, N failed".
NAME=glyph_test
. "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
PKGS=fonts-wqy-microhei,fonts-smiley-sans,fonts-sawarabi-gothic
SMALL="--packages $PKGS --classes 40 --min-faces 3 --samples 8 --quiet"

build() {  # build DIR ARGS...: a set, silently; 0 when it was built
    local dir=$1; shift
    "$BIN" data glyphs --out "$dir" "$@" > "$W/build.out" 2> "$W/build.err"
}

same_set() {  # same_set A B: every file of A is in B with the same bytes
    local f
    for f in "$1"/*; do cmp -s "$f" "$2/$(basename "$f")" || return 1; done
    [ "$(ls "$1" | wc -l)" -eq "$(ls "$2" | wc -l)" ]
}

# ---------------------------------------------------------------- determinism
if build "$W/a" $SMALL && build "$W/b" $SMALL && build "$W/t1" $SMALL --threads 1 && build "$W/t2" $SMALL --threads 2
then
    same_set "$W/a" "$W/b" && ok "two builds, the same bytes ($(ls "$W/a" | wc -l) files)" || bad "two builds differ"
    same_set "$W/t1" "$W/t2" && same_set "$W/a" "$W/t1" && ok "1 and 2 threads, the same bytes" \
        || bad "the thread count changes the set"
    cp -r "$W/a" "$W/a0" && build "$W/a/" $SMALL && same_set "$W/a0" "$W/a" && ! ls -d "$W"/a.* 2>/dev/null \
        && ok "a rebuild in place (--out DIR/) replaces the set with the same bytes, nothing left beside it" \
        || bad "rebuild in place: $(cat "$W/build.err")"
else
    bad "small build failed: $(cat "$W/build.err")"
fi

# ---------------------------------------------------------------- the files, the manifest
python3 - "$W/a" "$HERE/idx_read.py" <<'PY' && ok "manifest, splits and IDX files agree (Python reader)" || bad "manifest/IDX check"
import hashlib, json, os, subprocess, sys
d, reader = sys.argv[1], sys.argv[2]
m = json.load(open(os.path.join(d, 'manifest.json')))
fail = []
def check(cond, what):
    if not cond: fail.append(what)
sp = {s['name']: s for s in m['splits']}
check(list(sp) == ['train', 'val', 'test'], 'split names')
check([sp[n]['classes'] for n in sp] == [20, 6, 14], '50/15/35 of 40 classes')
cps = [set(sp[n]['code_points']) for n in sp]
check(not (cps[0] & cps[1] or cps[0] & cps[2] or cps[1] & cps[2]), 'splits share a character')
for n, s in sp.items():
    check(s['code_points'] == sorted(s['code_points']), n + ': labels follow code points')
    check(s['characters'] == ''.join(map(chr, s['code_points'])), n + ': characters string')
    check(s['samples'] == 8 * s['classes'], n + ': samples')
    check(len(s['drawings']) == s['classes'] and all(3 <= k <= 4 for k in s['drawings']), n + ': drawings')
    for part, kind in (('images', 3), ('labels', 1)):
        path = os.path.join(d, s[part]['file'])
        check(hashlib.sha256(open(path, 'rb').read()).hexdigest() == s[part]['sha256'], path + ': sha256')
        line = subprocess.run([sys.executable, reader, path], capture_output=True, text=True).stdout.split()
        if part == 'images':
            check(line[0] == '0x08' and line[1] == '%dx32x32' % s['samples'], path + ': ' + ' '.join(line))
        else:
            check(line[0] == '0x0C' and line[1] == str(s['samples']), path + ': ' + ' '.join(line))
            check(int(line[3]) == 8 * sum(range(s['classes'])), path + ': every label 8 times')
check(len(m['faces']) == 4, 'faces: %d' % len(m['faces']))
for f in m['faces']:
    ver = subprocess.run(['dpkg-query', '-W', '-f=${Version}', f['package']], capture_output=True, text=True).stdout
    check(ver == f['version'], f['file'] + ': version ' + f['version'] + ' vs dpkg ' + ver)
    check(hashlib.sha256(open(f['file'], 'rb').read()).hexdigest() == f['sha256'], f['file'] + ': sha256')
    check(f['han'] >= 1000, f['file'] + ': Han count')
check(m['render']['samples_per_class'] == 8 and m['selection']['min_faces'] == 3, 'render/selection')
if fail:
    print('\n'.join(fail)); sys.exit(1)
PY

# ---------------------------------------------------------------- bad input
# refused NAME PATTERN ARGS...: exit 1, one line on stderr matching PATTERN, no set written
refused() {
    local name=$1 pat=$2; shift 2
    rm -rf "$W/r"
    "$BIN" data glyphs --out "$W/r" "$@" > /dev/null 2> "$W/stderr"
    local rc=$? lines; lines=$(wc -l < "$W/stderr")
    if [ $rc -eq 1 ] && [ "$lines" -eq 1 ] && grep -q -- "$pat" "$W/stderr" && [ ! -e "$W/r" ] \
       && ! ls -d "$W"/r.* > /dev/null 2>&1; then
        ok "$name: $(cat "$W/stderr")"
    else
        bad "$name: exit $rc, $lines line(s), expected /$pat/: $(cat "$W/stderr")"
    fi
}
printf 'this is not a font\n' > "$W/fake.ttf"
refused "a font file that is not a font" "fake.ttf: not a font file" --font "$W/fake.ttf" --quiet
head -c 3000 /usr/share/fonts/truetype/wqy/wqy-microhei.ttc > "$W/cut.ttc"
refused "a font file cut short" "cut.ttc: " --font "$W/cut.ttc" --quiet
refused "a face that lacks a character" "U+9F98 龘: 1 distinct drawing(s) in the 4 faces, --min-faces asks for 3: SmileySans-Oblique.ttf#0 lacks it" \
    --packages $PKGS --min-faces 3 --chars U+4E00,U+4E01,U+4E09,U+9F98 --quiet
refused "an empty glyph" "U+3000 .*: 0 distinct drawing(s) in the 4 faces.*wqy-microhei.ttc#0 has an empty glyph" \
    --packages $PKGS --min-faces 1 --chars U+4E00,U+4E01,U+4E09,U+3000 --quiet
refused "more classes than a byte label holds" "--labels ubyte: the train split has 300 classes, more than the 256" \
    --packages $PKGS --min-faces 3 --classes 600 --labels ubyte --quiet
refused "more classes than the fonts draw" "only .* characters are drawn by 3 or more distinct faces" \
    --packages $PKGS --min-faces 3 --classes 30000 --samples 1 --quiet
refused "a package that is not installed" "font package fonts-no-such-face is not installed" \
    --packages fonts-no-such-face --quiet
refused "no fonts at all" "no fonts: give --packages" --classes 10
refused "a bad --chars" "--chars: 'U+ZZ' is not a code point" --packages $PKGS --chars U+ZZ
refused "a character asked twice" "--chars: U+4E01 is listed twice" --packages $PKGS --chars U+4E00-U+4E02,U+4E01
refused "a bad --split" "--split: '50,50' is not three positive fractions" --packages $PKGS --split 50,50

# a truncated IDX file of a set: the reader (dmlbench train) says which and stops
if [ -d "$W/a0" ]; then
    cp -r "$W/a0" "$W/cut"
    f="$W/cut/train-labels-idx1-ubyte.gz"
    gzip -dc "$W/a0/train-labels-idx1-ubyte.gz" | head -c 100 | gzip -n > "$f"
    "$BIN" train --loss proxy_anchor --data "$W/cut" --epochs 1 > /dev/null 2> "$W/stderr"
    rc=$?
    [ $rc -eq 1 ] && [ "$(wc -l < "$W/stderr")" -eq 1 ] && grep -q "train-labels-idx1-ubyte.gz: truncated: 92 of the 640 data bytes" "$W/stderr" \
        && ok "a truncated IDX file: $(cat "$W/stderr")" || bad "truncated IDX: exit $rc: $(cat "$W/stderr")"
fi

# --out that cannot be written, a file, or a directory that is not a glyph set
unwritable() {
    local name=$1 out=$2 pat=$3
    "$BIN" data glyphs --out "$out" $SMALL > /dev/null 2> "$W/stderr"
    local rc=$? lines; lines=$(wc -l < "$W/stderr")
    [ $rc -eq 1 ] && [ "$lines" -eq 1 ] && grep -q -- "$pat" "$W/stderr" && ok "$name: $(cat "$W/stderr")" \
        || bad "$name: exit $rc, $lines line(s), expected /$pat/: $(cat "$W/stderr")"
}
unwritable "--out under /proc" /proc/glyphs "--out /proc/glyphs: cannot create"
touch "$W/plain"
unwritable "--out is a file" "$W/plain" "exists and is not a directory"
unwritable "--out under a file" "$W/plain/set" "cannot create $W/plain"
mkdir -p "$W/mine" && echo keep > "$W/mine/notes.txt"
unwritable "--out holds something else" "$W/mine" "not a glyph set"
[ "$(cat "$W/mine/notes.txt")" = keep ] && ok "... and what it held is untouched" || bad "--out's files were touched"
if [ "$(id -u)" != 0 ]; then
    mkdir -p "$W/ro" && chmod 555 "$W/ro"
    unwritable "--out in a read-only directory" "$W/ro/set" "cannot create"
fi

# ---------------------------------------------------------------- a killed build
# The old set survives a build killed at any moment; the next build removes what it left.
if [ -d "$W/a0" ]; then
    cp -r "$W/a0" "$W/k"
    # the new set the killed builds would write, built whole for comparison
    build "$W/n400" --packages $PKGS --classes 400 --min-faces 3 --samples 16 --quiet || bad "the 400-class set: $(cat "$W/build.err")"
    for delay in 0.05 0.2 0.4 0.8; do
        "$BIN" data glyphs --out "$W/k" --packages $PKGS --classes 400 --min-faces 3 --samples 16 --quiet \
            > /dev/null 2>&1 &
        pid=$!
        sleep $delay
        kill -9 $pid 2> /dev/null
        wait $pid 2> /dev/null
        rc=$?
        if [ $rc -eq 137 ]; then  # the old set, or (killed once it was in place) the whole new one
            same_set "$W/a0" "$W/k" || same_set "$W/n400" "$W/k" ||
                bad "killed after ${delay}s: neither the old set nor the new one: $(ls "$W/k" 2>&1 | wc -l) files"
            rm -rf "$W/k" && cp -r "$W/a0" "$W/k"
        else  # the build finished before the kill (a quiet machine): a whole new set, then the old one back
            [ $rc -eq 0 ] && [ -f "$W/k/manifest.json" ] || bad "a build that ended before its kill at ${delay}s: exit $rc"
            rm -rf "$W/k" && cp -r "$W/a0" "$W/k"
        fi
    done
    build "$W/k" $SMALL && same_set "$W/a0" "$W/k" && ! ls -d "$W"/k.* > /dev/null 2>&1 \
        && ok "builds killed -9 left the old set or the whole new one; the next build cleaned up" \
        || bad "after killed builds: $(ls -d "$W"/k* | tr '\n' ' ') $(cat "$W/build.err")"
fi

summary
