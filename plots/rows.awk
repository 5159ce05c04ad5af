# rows.awk — rows of a results CSV chosen by column NAME, never by position:
# a column added to the CSV moves every later one, and a figure that counted
# columns would silently draw its neighbour (issue 20: `$33` became bwd_p90_ms).
#   awk -v where='name=triplet algorithm=0' [-v hosts='H1 H2'] -f plots/rows.awk FILE.csv
#       the header and the rows whose named columns hold those values (and,
#       when hosts is not blank, whose host is one of them)
#   ... -v get=COLUMN [-v uniq=1] [-v first=1]
#       only that column's values, a line each, no header (uniq: each
#       non-empty value once, in first-seen order; first: the first only)
# A name the header lacks is an error (exit 2 and a line on stderr), never
# an empty or shifted series.
function need(n) {
    if (n in C) return
    printf "plots/rows.awk: %s: no column named '%s'\n", FILENAME, n > "/dev/stderr"
    bad = 1
    exit 2
}
BEGIN { FS = "," }
NR == 1 {
    for (i = 1; i <= NF; i++) C[$i] = i
    nw = split(where, W, " ")
    for (i = 1; i <= nw; i++) {
        eq = index(W[i], "=")
        WN[i] = substr(W[i], 1, eq - 1); WV[i] = substr(W[i], eq + 1)
        need(WN[i])
    }
    if (hosts !~ /^ *$/) { need("host"); nh = split(hosts, H, " "); for (i = 1; i <= nh; i++) HOK[H[i]] = 1 }
    if (get != "") need(get)
    else print
    next
}
{
    for (i = 1; i <= nw; i++) if ($C[WN[i]] != WV[i]) next
    if (nh && !($C["host"] in HOK)) next
    if (get == "") { print; next }
    v = $C[get]
    if (uniq && (v == "" || (v in seen))) next
    seen[v] = 1
    print v
    if (first) exit
}
END { if (bad) exit 2 }
