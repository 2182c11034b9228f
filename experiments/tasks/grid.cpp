// grid: transpose a square grid given row by row (the 2-D task, for rope2d).
//   n = 2:  a b       input  a b c d | a c b d
//           c d
// Tokens: symbols a-j (0-9), SEP (10). Length n = the side of the grid (n^2 cells).
// Each token has a grid coordinate: input cell (r, c) at row r, column c; SEP at (n, 0); answer
// cell (r, c) at row n + 1 + r, column c. rope2d and rope-axial rotate by these; other
// encodings see the sequence positions 0, 1, 2, ...
#include "experiments/tasks/symbols.h"
#include "experiments/tasks/tasks.h"

namespace pelab {
namespace {

class Grid : public Task {
 public:
  std::string name() const override { return "grid"; }
  int64_t vocab_size() const override { return 11; }
  std::string token_name(int32_t id) const override {
    return id < 10 ? std::string(1, static_cast<char>('a' + id)) : Task::token_name(id);
  }
  Instance make(int64_t n, Random& rng) const override {
    Instance inst;
    inst.input = random_symbols(n * n, 10, rng);
    for (int64_t r = 0; r < n; ++r)
      for (int64_t c = 0; c < n; ++c) inst.answer.push_back(inst.input[c * n + r]);
    return inst;
  }
  bool coordinates(int64_t n, std::vector<std::vector<float>>& axes) const override {
    axes.assign(2, {});
    std::vector<float>& row = axes[0];
    std::vector<float>& col = axes[1];
    auto cells = [&](int64_t first_row) {
      for (int64_t r = 0; r < n; ++r)
        for (int64_t c = 0; c < n; ++c) {
          row.push_back(static_cast<float>(first_row + r));
          col.push_back(static_cast<float>(c));
        }
    };
    cells(0);
    row.push_back(static_cast<float>(n));  // SEP
    col.push_back(0.0f);
    cells(n + 1);
    row.pop_back();  // the model reads the sequence without its last token
    col.pop_back();
    return true;
  }
};

}  // namespace

TaskScheme grid_task() {
  return {"grid",
          [](const TaskOptions&) -> std::unique_ptr<Task> { return std::make_unique<Grid>(); }};
}

}  // namespace pelab
