#!/usr/bin/env bash
# isa_parent_test.sh [ROOT] — a row of DML_ISA_ROWS that names a parent and
# brings only a GEMM file is a whole ISA (docs/extending.md, "Add an ISA").
#
# In a scratch copy of the tree (ROOT, default the checkout this script is
# in) it adds what a future avx512bf16 would add — a value in dml_isa, a row
# with parent avx512, and kernels/cosine/cosine_<isa>.c (here avx512's GEMM
# under the new name), no LSE file, no flags line — and checks that:
#   the build holds the ISA, with the GEMM family from its file and the LSE
#   family from the parent's (dispatch table entries, by address);
#   every shared kernel check passes on it (check_driver, tests/checks/);
#   it is supported exactly where its parent is: its own feature is
#   `always`, yet under qemu's Haswell model (no AVX-512) it is not;
#   a child of an ISA this architecture does not build (neon) is left out
#   (its file, which would not compile, is never compiled).
# Ends with "N passed, N failed"; exit 1 when one failed.
NAME=isa_parent_test
. "$(dirname "$0")/lib.sh"
ROOT=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
S="$W/tree"
QEMU_HASWELL=${QEMU_HASWELL:-qemu-x86_64 -cpu Haswell}

if [ "$(uname -m)" != x86_64 ]; then
    echo "isa_parent_test: x86-64 only (the child is avx512's)"; exit 0
fi

# ---- the scratch tree and the three additions
mkdir -p "$S"
for d in Makefile mk kernels tests harness scripts; do [ -e "$ROOT/$d" ] && cp -r "$ROOT/$d" "$S/"; done
sed -i 's/^\( *\)DML_ISA_COUNT,/\1DML_ISA_AVX512KID, DML_ISA_NEONKID,\n\1DML_ISA_COUNT,/' \
    "$S/kernels/include/dml.h"
sed -i 's/^\( *\)X(avx512, DML_ISA_AVX512, none, avx512) *\\$/&\n\1X(avx512kid, DML_ISA_AVX512KID, avx512, always) \\\n\1X(neonkid, DML_ISA_NEONKID, neon, always) \\/' \
    "$S/kernels/include/dml_kernels.h"
sed 's/_f32_avx512\b/_f32_avx512kid/g; s/ENTRIES(avx512)/ENTRIES(avx512kid)/' \
    "$ROOT/kernels/cosine/cosine_avx512.c" > "$S/kernels/cosine/cosine_avx512kid.c"
echo '#error "neonkid is not an ISA of this architecture: never compiled"' \
    > "$S/kernels/cosine/cosine_neonkid.c"
if grep -q 'X(avx512kid, DML_ISA_AVX512KID, avx512, always)' "$S/kernels/include/dml_kernels.h" &&
   grep -q 'DML_ISA_AVX512KID' "$S/kernels/include/dml.h"; then
    ok "scratch tree: a value in dml_isa, a row with parent avx512, a GEMM file"
else
    bad "scratch tree: the row or the enum value was not added (has DML_ISA_ROWS changed shape?)"
    summary; exit
fi

# ---- the build
if make -C "$S" -s -j2 build/libdml.a build/check_driver > "$W/build.log" 2>&1; then
    ok "the scratch tree builds (libdml.a, check_driver)"
else
    tail -20 "$W/build.log"; bad "the scratch tree does not build"; summary; exit
fi
grep -q 'avx512kid' "$S/build/.flags" && ok "BUILT_ISAS holds avx512kid" ||
    bad "BUILT_ISAS lacks avx512kid: $(cat "$S/build/.flags")"
[ -e "$S/build/kernels/cosine/cosine_avx512kid.o" ] && [ ! -e "$S/build/kernels/lse/lse_avx512kid.o" ] &&
    ok "avx512kid compiles its GEMM file and no LSE file" || bad "avx512kid's objects are not what its files say"

# ---- the table, by address, and the support rule
cat > "$W/probe.c" <<'EOF'
#include <stdio.h>
#include "dml_kernels.h"
int main(void)
{
    const dml_kernels *k = dml_kernels_for(DML_ISA_AVX512KID), *p = dml_kernels_for(DML_ISA_AVX512);
    dml_isa parsed;
    printf("compiled %d %d\n", dml_isa_compiled(DML_ISA_AVX512KID), dml_isa_compiled(DML_ISA_NEONKID));
    printf("supported %d %d\n", dml_isa_supported(DML_ISA_AVX512KID), dml_isa_supported(DML_ISA_AVX512));
    printf("name %s %d\n", dml_isa_name(DML_ISA_AVX512KID),
           dml_isa_parse("avx512kid", &parsed) == DML_OK && parsed == DML_ISA_AVX512KID);
    if (!k || !p) return 1;
    printf("lse %d exp %d\n", k->lse == dml_lse_f32_avx512 && k->lse == p->lse, k->exp == p->exp);
    printf("gemm %d %d\n", k->gemm == dml_gemm_f32_avx512kid && k->gemm != p->gemm,
           k->gemm_packed_nb == dml_gemm_packed_nb_f32_avx512kid && k->normalize == dml_normalize_f32_avx512kid);
    return 0;
}
EOF
if gcc -std=c17 -I"$S/kernels/include" "$W/probe.c" "$S/build/libdml.a" -fopenmp -lm -lpthread \
       -o "$W/probe" 2> "$W/probe.log"; then
    "$W/probe" > "$W/native.txt"
else
    cat "$W/probe.log"; : > "$W/native.txt"
fi
expect() { # expect FILE LINE WHAT
    grep -qx "$2" "$1" && ok "$3" || bad "$3: expected '$2', got '$(tr '\n' ';' < "$1")'"
}
expect "$W/native.txt" "compiled 1 0" "avx512kid compiled; neonkid (child of neon) left out on x86-64"
expect "$W/native.txt" "name avx512kid 1" "avx512kid has its name, and --isa avx512kid parses"
expect "$W/native.txt" "lse 1 exp 1" "the LSE family is the parent's (dml_lse_f32_avx512, dml_exp_f32_avx512)"
expect "$W/native.txt" "gemm 1 1" "the GEMM family is its own (dml_gemm_f32_avx512kid and the rest)"
if grep -q "supported . 1" "$W/native.txt"; then
    expect "$W/native.txt" "supported 1 1" "natively: supported, as its parent is"
    "$S/build/check_driver" avx512kid > "$W/checks.txt" 2>&1
    tail -1 "$W/checks.txt" | grep -q ", 0 failed" && ok "every shared kernel check on avx512kid: $(tail -1 "$W/checks.txt")" ||
        { grep FAIL "$W/checks.txt" | head; bad "shared kernel checks on avx512kid"; }
else
    echo "isa_parent_test: this CPU has no AVX-512; the native half is under qemu only"
fi

# Under a CPU without AVX-512 its own feature (always) holds, its parent's does not.
if command -v ${QEMU_HASWELL%% *} > /dev/null; then
    timeout -s KILL 60 $QEMU_HASWELL "$W/probe" > "$W/haswell.txt" 2>&1
    expect "$W/haswell.txt" "supported 0 0" "under $QEMU_HASWELL: not supported, since avx512 is not"
else
    bad "qemu-x86_64 is not installed (make deps-neon): the parent rule is unchecked"
fi
summary
