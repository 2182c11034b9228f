// PELAB_VECTORIZED: compile a hot loop for the vector units this CPU has.
//
// The default build must run on any x86-64, whose baseline vectors are SSE2 (4 floats). A
// function marked PELAB_VECTORIZED is compiled three times, for AVX-512 (x86-64-v4, 16 floats),
// AVX2 (x86-64-v3, 8 floats) and the baseline, and the dynamic loader picks the one this CPU
// runs (GCC's target_clones; OpenMP loops inside are cloned with it). The build keeps
// -ffp-contract=off, so no clone fuses a multiply and an add that the source keeps apart: every
// clone computes the same values. On one machine a run always takes the same clone, so the same
// seed and thread count still give the same bits. Mark the elementwise kernels that profiles
// show (GELU, softmax rows, LayerNorm, RoPE, AdamW); BLAS chooses its own kernels.
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__gnu_linux__)
#define PELAB_VECTORIZED \
  __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define PELAB_VECTORIZED
#endif
