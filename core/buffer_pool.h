// A caching allocator for tensor storage.
//
// Fresh memory pages are expensive (the first touch of a newly mapped page faults into the
// kernel), so pelab never hands memory back between training steps. A released buffer goes
// onto a free list keyed by its exact size; the next request of that size takes it back.
// Because every training step asks for the same sizes in the same order, step 2 onwards runs
// without a single fresh allocation, while op code still reads as if it allocated.
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

// Returns an uninitialised, 64-byte aligned buffer of n floats (n >= 0).
float* pool_acquire(int64_t n);
// Gives a buffer from pool_acquire back for reuse.
void pool_release(float* p, int64_t n);
BufferPoolStats pool_stats();
// Returns every free buffer to the system (tests and long-lived tools that change shapes).
void pool_trim();

}  // namespace pelab
