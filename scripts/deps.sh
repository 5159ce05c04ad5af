#!/bin/sh
# deps.sh GROUP... — install the Debian packages a dmlbench job needs, and only
# those missing.  Groups: test (build + Criterion suite), sweep (+ gnuplot),
# glyphs (FreeType and the CJK fonts of make data-glyphs), glyph-test (the few of make test),
# train (Fashion-MNIST and zlib for `dmlbench train`; the test suite trains on it),
# bench (+ OpenBLAS as a comparison baseline, valgrind for instruction counts),
# neon (the AArch64 cross compiler and qemu-user), slurm and parallel (the
# cluster engines of `make sweep ENGINE=...`), clang (clang and its OpenMP
# runtime), fuzz (+ libFuzzer and the sanitizer runtimes of clang), hostile
# (+ python3, which checks the JSON of tests/shell/hostile_test.sh).  The gcc
# sanitizers of make test-san come with gcc (libgcc-12-dev: libasan, libubsan).
# python3 is in test: tests/shell/idx_read.py, an IDX reader apart from ours, reads
# what the harness writes.
set -eu

pkgs_train="dataset-fashion-mnist zlib1g-dev"
# glyph-test: FreeType and the three smallest fonts with thousands of Han
# characters (WenQuanYi Micro Hei, Smiley Sans, Sawarabi Gothic: 3.6 MB in
# all), enough for make test's small glyph builds.  glyphs: the curated list
# of make data-glyphs, one package a line in harness/data/glyph_fonts.txt
# (31 packages, 269 MB to download).
pkgs_glyph_test="libfreetype-dev fonts-wqy-microhei fonts-smiley-sans fonts-sawarabi-gothic"
root=$(cd "$(dirname "$0")/.." && pwd)
glyph_list="$root/harness/data/glyph_fonts.txt"
pkgs_glyphs="make gcc pkg-config zlib1g-dev $pkgs_glyph_test"
if [ -r "$glyph_list" ]; then
    pkgs_glyphs="$pkgs_glyphs $(sed -e 's/#.*//' "$glyph_list" | tr -s ' \t,' '\n\n\n' | grep . | tr '\n' ' ')"
fi
pkgs_test="make gcc pkg-config libcriterion-dev libhwloc-dev python3 $pkgs_train $pkgs_glyph_test"
pkgs_sweep="$pkgs_test gnuplot-nox"
# bench: OpenBLAS is only a yardstick for `dmlbench bench` (dlopen'ed at run time,
# never linked); valgrind runs the instruction counts of `make bench-check` and
# ships valgrind/callgrind.h, valgrind/valgrind.h on Debian 12 (no -dev package).
pkgs_bench="$pkgs_test libopenblas-dev valgrind"
# neon: only the cross build and qemu (make test-neon runs no Criterion and links
# no hwloc); gcc stays because the Makefile asks the host compiler for its target.
# libgomp1-arm64-cross (a dependency of the cross gcc, named here because the
# binaries load it under qemu -L) holds the aarch64 OpenMP runtime.
pkgs_neon="make gcc gcc-aarch64-linux-gnu libc6-dev-arm64-cross libgomp1-arm64-cross qemu-user"

# slurm: the daemons and client commands scripts/slurm-local.sh starts a
# one-node test cluster with (and sbatch/squeue/scancel for a real one).
pkgs_slurm="slurmctld slurmd slurm-client munge"
pkgs_parallel="parallel"
pkgs_clang="make clang libomp-dev pkg-config"
pkgs_fuzz="$pkgs_clang libclang-rt-14-dev libhwloc-dev"
pkgs_hostile="$pkgs_test python3"
# faiss: the flat-search yardstick of make bench-faiss (Debian's FAISS, over OpenBLAS).
pkgs_faiss="$pkgs_bench python3 python3-numpy python3-faiss"
# torch: the yardstick of make compare-torch (scripts/torch_train.py):
# Debian's PyTorch 1.13 and what pytorch-metric-learning's source imports.
pkgs_torch="$pkgs_train python3-torch python3-numpy python3-scipy python3-sklearn python3-tqdm"

want=""
for g in "$@"; do
    eval "list=\${pkgs_$(echo "$g" | tr - _):-}"
    [ -n "$list" ] || { echo "deps.sh: unknown group '$g' (test, sweep, train, torch, glyphs, glyph-test, bench, faiss, neon, slurm, parallel, clang, fuzz, hostile)" >&2; exit 2; }
    want="$want $list"
done

missing=""
for p in $want; do
    case " $missing " in *" $p "*) continue ;; esac
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "dmlbench: missing packages:$missing — install them (no apt-get here)" >&2
    exit 1
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "dmlbench: missing packages:$missing — run as root or install them" >&2; exit 1; }
    SUDO="sudo"
fi
echo "dmlbench: installing missing Debian packages:$missing"
export DEBIAN_FRONTEND=noninteractive
# Another apt or dpkg (an unattended upgrade, a second make) holds the lock:
# wait for it, saying so, instead of failing at once.  The lock files are the
# ones apt takes; a lock is held when /proc/locks names the file's inode.
# DML_APT_LOCKS and DML_APT_WAIT are for tests/shell/deps_lock_test.sh.
locks=${DML_APT_LOCKS:-"/var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock"}
wait_s=${DML_APT_WAIT:-600}
held() {
    for l in $locks; do
        [ -e "$l" ] || continue
        ino=$(stat -c %i "$l" 2>/dev/null) || continue
        if grep -q ":$ino " /proc/locks 2>/dev/null; then echo "$l"; return 0; fi
    done
    return 1
}
if l=$(held); then
    echo "dmlbench: waiting for the apt/dpkg lock ($l: another apt or dpkg is running), up to $wait_s s"
    t=0
    while held >/dev/null && [ "$t" -lt "$wait_s" ]; do sleep 2; t=$((t + 2)); done
    if held >/dev/null; then
        echo "dmlbench: the apt/dpkg lock is still held after $wait_s s; install by hand:$missing" >&2
        exit 1
    fi
    echo "dmlbench: the lock is free after $t s"
fi
# and apt itself waits too, for a lock taken between the check and apt-get
APT_WAIT="-o DPkg::Lock::Timeout=$wait_s"
# shellcheck disable=SC2086
$SUDO apt-get $APT_WAIT update -qq
# shellcheck disable=SC2086
$SUDO apt-get $APT_WAIT install -y -qq --no-install-recommends $missing >/dev/null
echo "dmlbench: installed:$missing"
