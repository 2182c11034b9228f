// volume: the 3-D task. A volume of n slices of 3 x 3 cells, given slice by slice, row by row;
// the answer is the volume with every slice transposed.
//   answer cell (i, r, c) = input cell (i, c, r)
// n = 1:  a b c       input  a b c d e f g h i | a d g b e h c f i
//         d e f
//         g h i
// All three axes matter: the answer reads the same slice i (axis 0) and swaps rows and columns
// (axes 1 and 2). Tokens: symbols a-j (0-9), SEP (10). Length n = the number of slices, the
// axis that grows: training on few slices and evaluating on more extrapolates along axis 0.
// Coordinates as grid_map.h lays them out (the answer a fixed 1024 along axis 0 from the
// input); rope-axial with 3 axes rotates by them.
#include "experiments/tasks/grid_map.h"
#include "experiments/tasks/tasks.h"

namespace pelab {
namespace {

class Volume : public GridMap {
 public:
  Volume() : GridMap({3, 3}) {}
  std::string name() const override { return "volume"; }
  std::vector<int64_t> source(const std::vector<int64_t>& c, int64_t) const override {
    return {c[0], c[2], c[1]};
  }
};

}  // namespace

TaskScheme volume_task() {
  return {"volume",
          [](const TaskOptions&) -> std::unique_ptr<Task> { return std::make_unique<Volume>(); }};
}

}  // namespace pelab
