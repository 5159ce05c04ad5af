/* cpu.c — what the CPU and the OS can run, detected once.
 *
 * x86-64: CPUID for the feature bits and XGETBV for the OS having enabled the
 * wider register state (an AVX-512 CPU under an OS that does not save ZMM
 * state must not use it).  AArch64: Advanced SIMD from getauxval(AT_HWCAP). */
#include "cpu.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <stddef.h>

static uint64_t xgetbv0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

dml_cpu_features dml_cpu_detect(void)
{
    dml_cpu_features f = { .always = 1 };
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return f;
    int osxsave = (c >> 27) & 1, avx = (c >> 28) & 1, fma = (c >> 12) & 1;
    if (!osxsave || !avx)
        return f;
    uint64_t xcr0 = xgetbv0();
    int os_ymm = (xcr0 & 0x6) == 0x6;           /* XMM and YMM state */
    int os_zmm = (xcr0 & 0xe6) == 0xe6;         /* plus opmask, ZMM_Hi256, Hi16_ZMM */
    if (__get_cpuid_max(0, NULL) < 7)
        return f;
    __cpuid_count(7, 0, a, b, c, d);
    int avx2 = (b >> 5) & 1;
    int avx512f = (b >> 16) & 1, avx512dq = (b >> 17) & 1;
    int avx512bw = (b >> 30) & 1, avx512vl = (b >> 31) & 1;
    f.avx2 = os_ymm && avx2 && fma;
    f.avx512 = f.avx2 && os_zmm && avx512f && avx512dq && avx512bw && avx512vl;
    /* Leaf 7 sub-leaf 1, EAX bit 5 (the parent's own check stays the parent's). */
    if (a >= 1) {
        __cpuid_count(7, 1, a, b, c, d);
        f.avx512bf16 = f.avx512 && ((a >> 5) & 1);
    }
    return f;
}

#elif defined(__aarch64__)
#include <sys/auxv.h>
#ifndef HWCAP_ASIMD
#define HWCAP_ASIMD (1 << 1)
#endif

dml_cpu_features dml_cpu_detect(void)
{
    dml_cpu_features f = { .always = 1 };
    f.neon = (getauxval(AT_HWCAP) & HWCAP_ASIMD) != 0;
    return f;
}

#else
dml_cpu_features dml_cpu_detect(void)
{
    dml_cpu_features f = { .always = 1 };
    return f;
}
#endif
