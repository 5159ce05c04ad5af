#!/bin/sh
# columns_check.sh RESULTS "FIGURES" [PLOTS_DIR] — every figure's series come
# from the columns they name, not from column positions.
#
# Each figure is drawn twice as text (gnuplot's table mode, TABLE=1 in
# plots/common.gp: every point of every plot): once from RESULTS, once from a
# copy of RESULTS whose CSVs have their columns rotated by one (header and
# rows alike: the same data, every column at another position).  A script
# that reads by name draws the same points from both; one that counts
# columns (awk '$33', `using 6`, column(33)) draws something else, and the
# figure is named with the first differing lines.  A script that names a
# column the CSV lacks fails too (plots/rows.awk's message, or gnuplot's).
# Exit 0 when every figure agrees, 1 otherwise.
set -u
R=$1; figures=$2; P=${3:-plots}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dml-columns.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$tmp/rot" "$tmp/a" "$tmp/b"
# The copy: every CSV rotated (its last column first), the rest as it is.
for f in "$R"/*; do
    [ -f "$f" ] || continue
    case $f in
    *.csv) awk -F, 'BEGIN { OFS = "," } { l = $NF; for (i = NF; i > 1; i--) $i = $(i - 1); $1 = l; print }' "$f" > "$tmp/rot/${f##*/}" ;;
    *) cp "$f" "$tmp/rot/" ;;
    esac
done
bad=0
# draw DIR OUT FIGURE: the figure's points as text in OUT/FIGURE.tab; 1 when
# gnuplot or plots/rows.awk complained (the messages in OUT/FIGURE.err).
draw() {
    gnuplot -e "R='$1'; OUT='$2/$3'; TABLE=1" "$P/$3.gp" > /dev/null 2> "$2/$3.err"
    ! grep -q 'no column named\|warning: \|line [0-9]*:' "$2/$3.err"
}
for f in $figures; do
    if ! draw "$R" "$tmp/a" "$f"; then
        echo "columns-check: $f: gnuplot or plots/rows.awk complained on $R:" >&2
        head -5 "$tmp/a/$f.err" | sed 's/^/    /' >&2; bad=1; continue
    fi
    if ! [ -s "$tmp/a/$f.tab" ]; then
        echo "columns-check: $f: drew no points from $R" >&2; bad=1; continue
    fi
    if ! draw "$tmp/rot" "$tmp/b" "$f"; then
        echo "columns-check: $f fails once the CSV's columns move: it reads a column by position" >&2
        head -3 "$tmp/b/$f.err" | sed 's/^/    /' >&2; bad=1; continue
    fi
    if ! cmp -s "$tmp/a/$f.tab" "$tmp/b/$f.tab"; then
        echo "columns-check: $f draws other points once the CSV's columns move: it reads a column by position" >&2
        diff "$tmp/a/$f.tab" "$tmp/b/$f.tab" | head -6 | sed 's/^/    /' >&2
        bad=1
    fi
done
[ $bad -eq 0 ] && echo "columns-check: $(echo $figures | wc -w) figures draw the same points with every CSV column moved: ok"
exit $bad
