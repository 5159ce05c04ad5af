#!/bin/sh
# make_help.sh MAKEFILE... — `make help`: every target with its one line, read
# from the `target: ... ## what it does` comments of the make files, then the
# options (`## NAME=value  what it does` lines).  A .PHONY target without its
# line is an error, so the list cannot drift from the rules.
set -u
awk '
FNR == 1 { file = FILENAME }
/^\.PHONY:/ { for (i = 2; i <= NF; i++) if ($i !~ /^\$/) phony[$i] = file; next }
/^[A-Za-z0-9_.%-]+( [A-Za-z0-9_.%-]+)*:.*## / {
    text = $0; sub(/.*## /, "", text)
    split($0, head, ":"); n = split(head[1], names, " ")
    for (i = 1; i <= n; i++) { desc[names[i]] = text; order[++count] = names[i] }
    next
}
# A static pattern rule over a list: `$(LIST:%=x-%): x-%: ## ...` is documented as x-%.
/^\$\([^)]*\): [A-Za-z0-9_.%-]+:.*## / {
    text = $0; sub(/.*## /, "", text)
    name = $0; sub(/^\$\([^)]*\): /, "", name); sub(/:.*/, "", name)
    desc[name] = text; order[++count] = name
    next
}
/^## / { opts[++nopts] = substr($0, 4) }
# A target documented as a pattern (deps-%) covers the .PHONY targets it matches.
function matches(t,    i, re) {
    for (i = 1; i <= count; i++) {
        if (index(order[i], "%") == 0) continue
        re = order[i]; gsub(/[.]/, "[.]", re); sub(/%/, ".+", re)
        if (t ~ ("^" re "$")) return 1
    }
    return 0
}
END {
    print "Targets (make TARGET):"
    for (i = 1; i <= count; i++) printf "  %-20s %s\n", order[i], desc[order[i]]
    print "Options (make TARGET NAME=value):"
    for (i = 1; i <= nopts; i++) printf "  %s\n", opts[i]
    bad = 0
    for (t in phony) if (!(t in desc) && !matches(t)) { printf "make help: %s: .PHONY target %s has no `## ` line\n", phony[t], t > "/dev/stderr"; bad = 1 }
    exit bad
}' "$@"
