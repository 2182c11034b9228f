// Whole-model comparisons with PyTorch for the assignment tests: the fixtures
// tests/fixtures/golden/<case>.h5 (written by tests/golden/make_fixtures.py) hold a model's
// config and parameters, one batch, and what PyTorch computed from them: the logits, the loss
// and every gradient. tests/models/golden_test.cpp checks every fixture and explains the
// tolerances, which these helpers share. An assignment test picks the fixtures whose model
// runs through the code of that assignment and through no other assignment's code: forward
// only (logits) for an encoding, the gradients for the attention backward.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>

#include "autograd/variable.h"
#include "experiments/run/hdf5_io.h"
#include "experiments/run/model_io.h"
#include "experiments/run/model_options.h"
#include "models/transformer.h"

namespace pelab::test {

// golden_test.cpp's tolerances: logits within 1e-5 of their largest magnitude (+ 1e-6), every
// gradient tensor within 1e-4 of its largest magnitude (+ 5e-8 of the model's largest gradient).
constexpr double kGoldenLogitsRtol = 1e-5, kGoldenLogitsAtol = 1e-6;
constexpr double kGoldenGradRtol = 1e-4, kGoldenGradGlobalAtol = 5e-8;

struct GoldenCase {
  H5File file;
  ModelConfig config;
  IntTensor tokens, targets;
  Tensor mask;
  Positions positions;
};

// The fixture's batch and config; rope2d's grid: row = p div grid_cols, col = p mod grid_cols.
inline GoldenCase load_golden(const std::string& name) {
  H5File f = H5File::open_read(std::string(PELAB_FIXTURES) + "/golden/" + name + ".h5");
  GoldenCase g{f,
               read_model_config(f),
               f.read_ints("/batch/tokens"),
               f.read_ints("/batch/targets"),
               f.read_floats("/batch/loss_mask"),
               {}};
  const Tensor pos = f.read_floats("/batch/positions");
  for (int64_t t = 0; t < pos.numel(); ++t) {
    const float row = std::floor(pos[t] / static_cast<float>(g.config.grid_cols));
    g.positions.index.push_back(pos[t]);
    g.positions.row.push_back(row);
    g.positions.col.push_back(pos[t] - row * static_cast<float>(g.config.grid_cols));
  }
  return g;
}

inline double max_abs(const Tensor& t) {
  double m = 0.0;
  for (int64_t i = 0; i < t.numel(); ++i) m = std::max(m, std::abs(static_cast<double>(t[i])));
  return m;
}

// Every |actual - expected| <= rtol * max|expected| + atol; on failure, names the worst element.
inline ::testing::AssertionResult CloseToPyTorch(const Tensor& actual, const Tensor& expected,
                                                 double rtol, double atol,
                                                 const std::string& what) {
  if (actual.shape() != expected.shape())
    return ::testing::AssertionFailure() << what << ": shape " << shape_str(actual.shape())
                                         << ", PyTorch has " << shape_str(expected.shape());
  const double tol = rtol * max_abs(expected) + atol;
  double worst = 0.0;
  int64_t at = 0;
  for (int64_t i = 0; i < expected.numel(); ++i) {
    const double err = std::abs(static_cast<double>(actual[i]) - static_cast<double>(expected[i]));
    if (!(err <= worst)) worst = err, at = i;  // NaN counts as the worst
  }
  if (worst <= tol) return ::testing::AssertionSuccess();
  std::ostringstream out;
  out.precision(9);
  out << what << ": element " << at << " is " << actual[at] << ", PyTorch has " << expected[at]
      << " (error " << worst << ", tolerance " << tol << ")";
  return ::testing::AssertionFailure() << out.str();
}

// The fixture's parameters into a model built from its config; RoPE scaling on, as the
// fixtures apply it (as evaluation does).
inline void load_golden_params(const GoldenCase& g, Transformer& net) {
  read_params(g.file, net.params());
  net.encoding().set_extrapolation(true);
}

// EXPECT_TRUE(LogitsMatchPyTorch("alibi")): the forward pass of the fixture's model.
inline ::testing::AssertionResult LogitsMatchPyTorch(const std::string& name) {
  const GoldenCase g = load_golden(name);
  Transformer net(g.config);
  load_golden_params(g, net);
  return CloseToPyTorch(net.forward(g.tokens, g.positions).value(), g.file.read_floats("/logits"),
                        kGoldenLogitsRtol, kGoldenLogitsAtol, name + " logits");
}

// EXPECT_TRUE(GradsMatchPyTorch("none")): the gradient of the loss for every parameter.
inline ::testing::AssertionResult GradsMatchPyTorch(const std::string& name) {
  const GoldenCase g = load_golden(name);
  Transformer net(g.config);
  load_golden_params(g, net);
  net.params().zero_grad();
  backward(net.loss(g.tokens, g.targets, g.mask, g.positions));
  double global = 0.0;
  for (const Parameters::Entry& e : net.params().entries())
    global = std::max(global, max_abs(g.file.read_floats("/grads/" + e.name)));
  for (const Parameters::Entry& e : net.params().entries()) {
    ::testing::AssertionResult r =
        CloseToPyTorch(e.var.grad(), g.file.read_floats("/grads/" + e.name), kGoldenGradRtol,
                       kGoldenGradGlobalAtol * global, name + ": gradient of " + e.name);
    if (!r) return r;
  }
  return ::testing::AssertionSuccess();
}

}  // namespace pelab::test
