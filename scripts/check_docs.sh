#!/bin/sh
# check_docs.sh — every pointer of the documentation resolves (make test):
#   - each markdown link [text](target) of a tracked .md file names a file or
#     directory that exists (relative to that .md), and its #anchor, if any, a
#     heading of the target (GitHub's slugs);
#   - each `path` in backquotes of a .md file, and each *.md path named in the
#     sources, that starts with a directory of the repository exists (but a
#     `path` followed by " (new)": a file a walk-through tells you to create);
#   - each FILE.md, "Section" pointer names a heading of FILE.
# Prints one line per dead pointer, FILE:LINE first; exit 1 when there is one.
set -u
cd "$(dirname "$0")/.."
ROOTS='kernels|harness|tests|scripts|mk|docs|plots|experiments|\.ci'

# GitHub's anchor of a heading: lower case, punctuation dropped, spaces to '-'.
slugs() {
    grep -E '^#{1,6} ' "$1" | sed -E 's/^#+ +//' | tr 'A-Z' 'a-z' |
        sed -E 's/[][`*.,:;!?()"'"'"'{}\/=+×÷→≤≥<>|&@$%^~]//g; s/ /-/g'
}

bad=0
T=$(mktemp)
trap 'rm -f "$T"' EXIT
for md in $(git ls-files --cached --others --exclude-standard '*.md'); do
    dir=$(dirname "$md")
    # [text](target): one per line as LINE<TAB>target
    awk '{ s = $0; while (match(s, /\]\([^) ]+\)/)) { print FNR "\t" substr(s, RSTART + 2, RLENGTH - 3); s = substr(s, RSTART + RLENGTH) } }' "$md" |
    while IFS="$(printf '\t')" read -r line target; do
        case $target in http://*|https://*|mailto:*) continue ;; esac
        path=${target%%#*}; anchor=
        case $target in *'#'*) anchor=${target#*#} ;; esac
        file=$md; [ -n "$path" ] && file=$dir/$path
        if [ ! -e "$file" ]; then echo "$md:$line: link to $target: no such file"; echo x; continue; fi
        if [ -n "$anchor" ] && [ -f "$file" ] && ! slugs "$file" | grep -qxF "$anchor"; then
            echo "$md:$line: link to $target: no heading '#$anchor' in $file"; echo x; fi
    done
    # `path` in backquotes that starts with a directory of the repository;
    # a file a walk-through creates is marked `path` (new) and not looked for.
    awk -v roots="$ROOTS" '{ s = $0
        while (match(s, "`(" roots ")/[A-Za-z0-9_./-]*[A-Za-z0-9_]`")) {
            p = substr(s, RSTART + 1, RLENGTH - 2); s = substr(s, RSTART + RLENGTH)
            if (s !~ /^(\*\*)? \(new[);]/) print FNR ":" p } }' "$md" |
    while IFS=: read -r line path; do
        [ -e "$path" ] || [ -e "$dir/$path" ] || { echo "$md:$line: names $path, which does not exist"; echo x; }
    done
done > "$T"
for src in $(git ls-files 'kernels/*' 'harness/*' 'tests/*.c' 'tests/*.h' 'tests/shell/*' 'scripts/*' 'mk/*' 'Makefile' '.ci/*'); do
    grep -noE '('"$ROOTS"')/[A-Za-z0-9_./-]+\.md' "$src" 2>/dev/null |
    while IFS=: read -r line path; do
        [ -e "$path" ] || { echo "$src:$line: names $path, which does not exist"; echo x; }
    done
done >> "$T"
# FILE.md, "Section" in a source or a doc: FILE has a heading (or a bold
# paragraph head) with that text.
for src in $(git ls-files 'kernels/*' 'harness/*' 'tests/*' 'scripts/*' 'mk/*' 'experiments/*' 'plots/*' '*.md'); do
    grep -noE '[A-Za-z0-9_./-]+\.md, "[^"]+"' "$src" 2>/dev/null |
    while IFS=: read -r line ref; do
        f=${ref%%, *}; sec=${ref#*\"}; sec=${sec%\"}
        [ -f "$f" ] || f=$(dirname "$src")/$f
        [ -f "$f" ] || continue   # a missing file is reported above
        grep -E '^#{1,6} |\*\*' "$f" | grep -qiF -- "$sec" ||
            { echo "$src:$line: names section \"$sec\" of $f, which has no such heading"; echo x; }
    done
done >> "$T"
grep -v '^x$' "$T" >&2
grep -qx x "$T" && bad=1
n=$(grep -c '^x$' "$T")
rm -f "$T"
[ $bad = 0 ] && echo "check_docs: every link and path of the documentation resolves" || echo "check_docs: $n dead pointer(s)" >&2
exit $bad
