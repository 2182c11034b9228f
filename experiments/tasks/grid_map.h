// GridMap: the shared shape of the tasks on grids of three and more axes (volume, eeg). The
// input is a grid of n x s_1 x ... x s_(A-1) cells given cell by cell (last axis fastest); the
// answer is the same grid with its cells moved by a map the task defines, answer cell
// (c_0, ..., c_(A-1)) <- input cell source(c). Axis 0 has n cells: it is the one that grows
// with the length, so training on small n and evaluating larger n extrapolates along it.
//
// Coordinates (Task::coordinates): input cell c at c; SEP at (K - 1, 0, ..., 0); answer cell c
// at (K + c_0, c_1, ..., c_(A-1)), with K = kAnswerAxisOffset. The answer is a copy of the grid
// moved K along axis 0, a distance that does not depend on n: the offset from the token that
// predicts an answer cell to the input cell it needs is the same at every n, so a scheme that
// sees offsets can extrapolate along axis 0. (The grid task places its answer at n + 1, an
// offset that grows with n, which no relative scheme can follow to an unseen n.) n stays below
// K (max_length), so input and answer coordinates never meet.
#pragma once

#include <string>
#include <vector>

#include "experiments/tasks/symbols.h"
#include "experiments/tasks/task.h"

namespace pelab {

class GridMap : public Task {
 public:
  // sizes: s_1 .. s_(A-1), the fixed axes after axis 0.
  static constexpr int64_t kAnswerAxisOffset = 1024;
  explicit GridMap(std::vector<int64_t> sizes) : sizes_(std::move(sizes)) {}
  int64_t max_length() const override { return kAnswerAxisOffset - 1; }
  int64_t vocab_size() const override { return 11; }  // symbols a-j, SEP
  std::string token_name(int32_t id) const override {
    return id < 10 ? std::string(1, static_cast<char>('a' + id)) : Task::token_name(id);
  }
  // The input cell whose symbol answer cell `c` holds.
  virtual std::vector<int64_t> source(const std::vector<int64_t>& c, int64_t n) const = 0;

  Instance make(int64_t n, Random& rng) const override {
    Instance inst;
    inst.input = random_symbols(cells(n), 10, rng);
    for (int64_t i = 0; i < cells(n); ++i)
      inst.answer.push_back(inst.input[index(source(cell(i), n))]);
    return inst;
  }
  bool coordinates(int64_t n, std::vector<std::vector<float>>& axes) const override {
    const int64_t A = static_cast<int64_t>(sizes_.size()) + 1;
    axes.assign(A, {});
    auto put = [&](const std::vector<int64_t>& c, int64_t first) {
      for (int64_t a = 0; a < A; ++a)
        axes[a].push_back(static_cast<float>((a == 0 ? first : 0) + c[a]));
    };
    for (int64_t i = 0; i < cells(n); ++i) put(cell(i), 0);
    put(std::vector<int64_t>(A, 0), kAnswerAxisOffset - 1);  // SEP
    for (int64_t i = 0; i + 1 < cells(n); ++i)
      put(cell(i), kAnswerAxisOffset);  // not the last answer cell
    return true;
  }

 protected:
  int64_t cells(int64_t n) const {
    int64_t k = n;
    for (int64_t s : sizes_) k *= s;
    return k;
  }
  // Cell i (last axis fastest) as coordinates, and back.
  std::vector<int64_t> cell(int64_t i) const {
    std::vector<int64_t> c(sizes_.size() + 1);
    for (int64_t a = static_cast<int64_t>(sizes_.size()); a >= 1; --a) {
      c[a] = i % sizes_[a - 1];
      i /= sizes_[a - 1];
    }
    c[0] = i;
    return c;
  }
  int64_t index(const std::vector<int64_t>& c) const {
    int64_t i = c[0];
    for (std::size_t a = 1; a < c.size(); ++a) i = i * sizes_[a - 1] + c[a];
    return i;
  }

 private:
  std::vector<int64_t> sizes_;
};

}  // namespace pelab
