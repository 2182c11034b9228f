// The golden optimizer fixture, tests/fixtures/optim.h5, written from PyTorch 1.13 by
// tests/fixtures/make_optim_fixtures.py (its docstring gives the layout): parameters with their
// decay flags and initial values, one gradient per step, and PyTorch's parameters and optimizer
// state after every step. These helpers load it into a pelab::Parameters and compare.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>

#include "autograd/parameters.h"
#include "experiments/run/hdf5_io.h"

namespace pelab::test {

inline H5File open_optim_fixture() {
  return H5File::open_read(std::string(PELAB_FIXTURES) + "/optim.h5");
}

// Declares the fixture's parameters (/initial/<name>, its shape, its "decay" attribute),
// finalizes, and sets their values to the initial ones.
inline void load_initial_parameters(const H5File& f, Parameters& params) {
  for (const std::string& name : f.list_datasets("/initial", false))
    params.add(name, f.shape("/initial/" + name),
               f.get_attr_int64("/initial/" + name, "decay") != 0);
  params.finalize();
  for (const Parameters::Entry& e : params.entries())
    params.get(e.name).value().copy_from(f.read_floats("/initial/" + e.name));
}

// Row s of a dataset of shape (S, shape...): the slice for step s, shaped like a parameter.
inline Tensor step_slice(const H5File& f, const std::string& path, int64_t s) {
  const Tensor all = f.read_floats(path);
  Shape shape(all.shape().begin() + 1, all.shape().end());
  return all.rows(s, s + 1).reshape(shape);
}

// The gradients PyTorch saw at step s.
inline void set_step_grads(const H5File& f, Parameters& params, int64_t s) {
  for (const Parameters::Entry& e : params.entries())
    params.get(e.name).grad().copy_from(step_slice(f, "/grads/" + e.name, s));
}

// The part of a flat per-parameter buffer (optimizer state) that belongs to entry e.
inline Tensor view_of(const Tensor& flat, const Parameters::Entry& e) {
  return flat.rows(e.offset, e.offset + e.var.numel()).reshape(e.var.shape());
}

// EXPECT_TRUE(AllClose(actual, expected, rtol, what)): every element within
//   |actual - expected| <= rtol * |expected| + atol,   atol = rtol * max |expected| / 10,
// the absolute part a tenth of the relative one at the tensor's largest element, for elements
// that cancel to near zero. On failure, names the worst element.
inline ::testing::AssertionResult AllClose(const Tensor& actual, const Tensor& expected,
                                           double rtol, const std::string& what) {
  if (actual.shape() != expected.shape())
    return ::testing::AssertionFailure() << what << ": shape " << shape_str(actual.shape())
                                         << ", expected " << shape_str(expected.shape());
  double scale = 0.0;
  for (int64_t i = 0; i < expected.numel(); ++i)
    scale = std::max(scale, std::abs(double(expected[i])));
  const double atol = rtol * scale / 10;
  int64_t worst = -1;
  double worst_excess = 0.0;
  for (int64_t i = 0; i < expected.numel(); ++i) {
    const double err = std::abs(double(actual[i]) - double(expected[i]));
    const double excess = err / (rtol * std::abs(double(expected[i])) + atol);
    if (excess > 1.0 && excess > worst_excess) {
      worst = i;
      worst_excess = excess;
    }
  }
  if (worst < 0) return ::testing::AssertionSuccess();
  std::ostringstream out;
  out.precision(9);
  out << what << ": element " << worst << " is " << actual[worst] << ", PyTorch has "
      << expected[worst] << " (error " << std::abs(double(actual[worst]) - double(expected[worst]))
      << ", " << worst_excess << " times the tolerance)";
  return ::testing::AssertionFailure() << out.str();
}

}  // namespace pelab::test
