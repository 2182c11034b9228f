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

// Each test starts from a pool with no free buffers: run in one process after other tests
// (build/tests/pelab_tests with no filter), the free lists would otherwise hold their buffers,
// and a request these tests expect to be fresh could be served from one of them.
class BufferPool : public ::testing::Test {
 protected:
  void SetUp() override { pool_trim(); }
};

TEST_F(BufferPool, RepeatedStepsMakeNoFreshAllocations) {
  one_step();  // the first step may allocate (or reuse what earlier tests left behind)
  const BufferPoolStats before = pool_stats();
  const int steps = 10;
  for (int i = 0; i < steps; ++i) one_step();
  const BufferPoolStats after = pool_stats();
  EXPECT_EQ(after.fresh_allocations, before.fresh_allocations);
  EXPECT_EQ(after.bytes_held, before.bytes_held);
  EXPECT_EQ(after.reuses - before.reuses, steps * 7);  // seven buffers per step
}

TEST_F(BufferPool, AReleasedBufferServesTheNextRequestOfItsSize) {
  const int64_t n = 12347;  // a size no other test uses
  int64_t capacity = 0;
  float* first = pool_acquire(n, capacity);
  EXPECT_EQ(capacity, n);
  pool_release(first, capacity);
  float* again = pool_acquire(n, capacity);
  EXPECT_EQ(again, first);  // the same memory, handed back
  EXPECT_EQ(capacity, n);

  const BufferPoolStats before = pool_stats();
  int64_t other_capacity = 0;
  float* other = pool_acquire(n + 1, other_capacity);  // a larger request never takes it
  EXPECT_NE(other, first);
  EXPECT_EQ(other_capacity, n + 1);
  EXPECT_EQ(pool_stats().fresh_allocations, before.fresh_allocations + 1);
  pool_release(other, other_capacity);
  pool_release(again, capacity);
}

TEST_F(BufferPool, ASmallerRequestTakesTheSmallestFreeBufferUpToTwiceItsSize) {
  const int64_t big = 40009, bigger = 40013;  // sizes no other test uses
  int64_t c_big = 0, c_bigger = 0;
  float* a = pool_acquire(big, c_big);
  float* b = pool_acquire(bigger, c_bigger);
  pool_release(b, c_bigger);
  pool_release(a, c_big);

  const BufferPoolStats before = pool_stats();
  int64_t capacity = 0;
  float* c = pool_acquire(big - 1000, capacity);  // both fit: the smaller one is taken
  EXPECT_EQ(c, a);
  EXPECT_EQ(capacity, big);
  float* d = pool_acquire(bigger / 2 + 1, capacity);  // the other one, just within 2x
  EXPECT_EQ(d, b);
  EXPECT_EQ(capacity, bigger);
  EXPECT_EQ(pool_stats().fresh_allocations, before.fresh_allocations);
  pool_release(c, big);
  int64_t small_capacity = 0;
  float* e = pool_acquire(big / 2 - 1, small_capacity);  // over 2x: a fresh buffer
  EXPECT_NE(e, a);
  EXPECT_EQ(small_capacity, big / 2 - 1);
  EXPECT_EQ(pool_stats().fresh_allocations, before.fresh_allocations + 1);
  pool_release(e, small_capacity);
  pool_release(d, bigger);
}

TEST_F(BufferPool, ATensorInALargerBufferSeesOnlyItsOwnSize) {
  { Tensor large = Tensor::empty({50021}); }  // a size no other test uses, now free
  Tensor t = Tensor::full({50000}, 3.0f);     // takes that buffer
  EXPECT_EQ(t.numel(), 50000);
  EXPECT_EQ(t[49999], 3.0f);
}

TEST_F(BufferPool, BuffersAre64ByteAligned) {
  for (int64_t n : {0, 1, 3, 17, 1000}) {
    int64_t capacity = 0;
    float* p = pool_acquire(n, capacity);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % 64, 0u) << n;
    pool_release(p, capacity);
  }
}

TEST_F(BufferPool, TrimReturnsFreeBuffersAndKeepsLiveOnes) {
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
