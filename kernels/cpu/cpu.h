/* cpu.h — CPU capability detection (internal to libdml). */
#ifndef DML_CPU_H
#define DML_CPU_H

#include <stdint.h>

typedef struct dml_cpu_features {
    int always; /* 1: the scalar reference runs everywhere */
    int avx2;   /* AVX2 + FMA, YMM state enabled by the OS */
    int avx512; /* AVX-512 F/VL/BW/DQ, ZMM and opmask state enabled by the OS */
    int neon;   /* AArch64 Advanced SIMD */
    int avx512bf16; /* AVX512_BF16 (vdpbf16ps), with avx512 */
} dml_cpu_features;

dml_cpu_features dml_cpu_detect(void);

#endif
