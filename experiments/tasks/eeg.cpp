// eeg: the 4-D task, shaped like an EEG recording: n time steps x a 2 x 2 grid of electrodes
// x 2 frequency bands (time, electrode row, electrode column, band). The answer is the
// recording mirrored across the electrode grid's diagonal with its two bands exchanged:
//   answer cell (t, x, y, b) = input cell (t, y, x, 1 - b)
// Every axis matters: the same time step (axis 0), rows and columns swapped (axes 1 and 2), the
// other band (axis 3). Tokens: symbols a-j (0-9), SEP (10); 8 cells per time step. Length n =
// the number of time steps, the axis that grows (extrapolation along time). Coordinates as
// grid_map.h lays them out (the answer a fixed 1024 along time from the input); rope-axial
// with 4 axes rotates by them.
#include "experiments/tasks/grid_map.h"
#include "experiments/tasks/tasks.h"

namespace pelab {
namespace {

class Eeg : public GridMap {
 public:
  Eeg() : GridMap({2, 2, 2}) {}
  std::string name() const override { return "eeg"; }
  std::vector<int64_t> source(const std::vector<int64_t>& c, int64_t) const override {
    return {c[0], c[2], c[1], 1 - c[3]};
  }
};

}  // namespace

TaskScheme eeg_task() {
  return {"eeg",
          [](const TaskOptions&) -> std::unique_ptr<Task> { return std::make_unique<Eeg>(); }};
}

}  // namespace pelab
