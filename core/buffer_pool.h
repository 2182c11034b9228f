// A caching allocator for tensor storage.
//
// Fresh memory pages are expensive (the first touch of a newly mapped page faults into the
// kernel), so pelab never hands memory back between training steps. A released buffer goes
// onto a free list keyed by its size; a later request takes back the smallest free buffer that
// holds it, if that is at most twice the size asked for (kMaxSlack). Because every training
// step asks for the same sizes in the same order, step 2 onwards runs without a single fresh
// allocation, while op code still reads as if it allocated. Taking a somewhat larger buffer,
// rather than only one of the exact size, keeps the pool near the most memory a step ever has
// in use at once: a size needed only after the peak (the backward's (B, T, 3D) gradient, say)
// reuses a buffer freed there (a (B, T, 4D) one) instead of adding its own.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pelab {

struct BufferPoolStats {
  int64_t fresh_allocations = 0;  // buffers obtained from the system so far
  int64_t reuses = 0;             // requests served from the free lists
  int64_t bytes_held = 0;         // bytes owned by the pool, in use or free
  int64_t bytes_in_use = 0;       // bytes of the buffers handed out and not yet released
  int64_t peak_bytes_in_use = 0;  // the most bytes_in_use has been
};

// A free buffer serves a request for n floats if it holds at most kMaxSlack * n (and n).
constexpr int64_t kMaxSlack = 2;

// Returns an uninitialised, 64-byte aligned buffer of at least n floats (n >= 0); its actual
// size goes to `capacity`, which pool_release must be given back.
float* pool_acquire(int64_t n, int64_t& capacity);
// Gives a buffer from pool_acquire back for reuse.
void pool_release(float* p, int64_t capacity);
BufferPoolStats pool_stats();
// Starts peak_bytes_in_use again from the bytes in use now (to measure one step, one op).
void pool_reset_peak();
// Returns every free buffer to the system (tests and long-lived tools that change shapes).
void pool_trim();

}  // namespace pelab
