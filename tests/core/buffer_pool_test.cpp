#include "core/buffer_pool.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "core/tensor.h"

namespace pelab {
namespace {

// One "training step": the same tensor sizes requested in the same order, some freed before
// the step ends (temporaries), the rest at its end.
void one_step() {
  std::vector<Tensor> live;
  live.push_back(Tensor::empty({3, 5}));
  live.push_back(Tensor::empty({1031}));
  {
    Tensor temporary = Tensor::zeros({2, 3, 7});
    live.push_back(temporary.reshape({-1}).clone());  // a second buffer of the same size
  }
  live.push_back(Tensor::empty({3, 5}));  // a size already in use: needs its own buffer
  live.push_back(Tensor::full({}, 1.0f));
  live.push_back(Tensor::empty({0}));
}

TEST(BufferPool, RepeatedStepsMakeNoFreshAllocations) {
  one_step();  // the first step may allocate (or reuse what earlier tests left behind)
  const BufferPoolStats before = pool_stats();
  const int steps = 10;
  for (int i = 0; i < steps; ++i) one_step();
  const BufferPoolStats after = pool_stats();
  EXPECT_EQ(after.fresh_allocations, before.fresh_allocations);
  EXPECT_EQ(after.bytes_held, before.bytes_held);
  EXPECT_EQ(after.reuses - before.reuses, steps * 7);  // seven buffers per step
}

TEST(BufferPool, AReleasedBufferServesTheNextRequestOfItsSizeOnly) {
  const int64_t n = 12347;  // a size no other test uses
  float* first = pool_acquire(n);
  pool_release(first, n);
  float* again = pool_acquire(n);
  EXPECT_EQ(again, first);  // the same memory, handed back

  const BufferPoolStats before = pool_stats();
  float* other = pool_acquire(n + 1);  // another size never takes it
  EXPECT_NE(other, first);
  EXPECT_EQ(pool_stats().fresh_allocations, before.fresh_allocations + 1);
  pool_release(other, n + 1);
  pool_release(again, n);
}

TEST(BufferPool, BuffersAre64ByteAligned) {
  for (int64_t n : {0, 1, 3, 17, 1000}) {
    float* p = pool_acquire(n);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % 64, 0u) << n;
    pool_release(p, n);
  }
}

TEST(BufferPool, TrimReturnsFreeBuffersAndKeepsLiveOnes) {
  Tensor live = Tensor::full({4099}, 2.0f);
  { Tensor dead = Tensor::empty({4097}); }
  const BufferPoolStats before = pool_stats();
  pool_trim();
  const BufferPoolStats after = pool_stats();
  EXPECT_LE(after.bytes_held, before.bytes_held - 4097 * 4);  // at least the dead buffer went
  EXPECT_GE(after.bytes_held, 4099 * 4);                      // the live one is still owned
  EXPECT_EQ(live[4098], 2.0f);

  // Nothing of that size is left to reuse: the next request is a fresh allocation.
  Tensor fresh = Tensor::empty({4097});
  EXPECT_EQ(pool_stats().fresh_allocations, after.fresh_allocations + 1);
}

}  // namespace
}  // namespace pelab
