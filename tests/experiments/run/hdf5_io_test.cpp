#include "experiments/run/hdf5_io.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/random.h"
#include "tests/core/test_util.h"

namespace pelab {
namespace {

using test::Contains;
using test::thrown_message;

// A fresh path in the test's temporary directory (the file is removed first), named by the
// process id so that test runs in several build directories at once never share a file.
std::string temp_path(const std::string& name) {
  const std::string path =
      ::testing::TempDir() + "pelab_h5_" + std::to_string(getpid()) + "_" + name;
  std::remove(path.c_str());
  return path;
}

TEST(H5File, FloatsRoundTripFrom1To4Dimensions) {
  const std::string path = temp_path("floats.h5");
  Random rng(3);
  const std::vector<Shape> shapes = {{5}, {2, 3}, {2, 3, 4}, {1, 2, 3, 2}, {}};
  std::vector<Tensor> written;
  {
    H5File f = H5File::create(path, false);
    for (std::size_t i = 0; i < shapes.size(); ++i) {
      written.push_back(test::random_tensor(shapes[i], rng));
      // Dots are part of a name, and the groups above a dataset are created.
      f.write_floats("/params/blocks." + std::to_string(i) + ".ln1.weight", written.back());
    }
  }
  H5File f = H5File::open_read(path);
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    const std::string name = "params/blocks." + std::to_string(i) + ".ln1.weight";
    EXPECT_TRUE(f.has(name));
    EXPECT_EQ(f.shape(name), shapes[i]);
    const Tensor t = f.read_floats(name);
    ASSERT_EQ(t.shape(), shapes[i]);
    EXPECT_EQ(t.to_vector(), written[i].to_vector());  // float32 on disk: bit for bit
  }
  EXPECT_FALSE(f.has("/params/blocks.0"));
  EXPECT_FALSE(f.has("/params/blocks.0.ln1.weight/child"));
  EXPECT_EQ(f.list_datasets("/params", false).size(), shapes.size());
  EXPECT_EQ(f.list_datasets("/params", false)[0], "blocks.0.ln1.weight");
}

TEST(H5File, RewritingADatasetReplacesIt) {
  H5File f = H5File::create(temp_path("rewrite.h5"), false);
  f.write_floats("/w", Tensor::from({2}, {1, 2}));
  f.write_floats("/w", Tensor::from({2}, {3, 4}));  // same shape: written in place
  EXPECT_EQ(f.read_floats("/w").to_vector(), (std::vector<float>{3, 4}));
  f.write_floats("/w", Tensor::from({3}, {5, 6, 7}));  // new shape: a new dataset
  EXPECT_EQ(f.read_floats("/w").to_vector(), (std::vector<float>{5, 6, 7}));
}

TEST(H5File, IntsAndScalarsRoundTrip) {
  H5File f = H5File::create(temp_path("ints.h5"), false);
  const IntTensor tokens({2, 3}, {0, 1, -2, 3, 2147483647, -2147483647 - 1});
  f.write_ints("/batch/tokens", tokens);
  f.write_scalar("/loss", 2.718281828459045);
  const IntTensor back = f.read_ints("/batch/tokens");
  EXPECT_EQ(back.shape, tokens.shape);
  EXPECT_EQ(back.data, tokens.data);
  EXPECT_EQ(f.read_scalar("/loss"), 2.718281828459045);  // float64 on disk
  EXPECT_TRUE(f.shape("/loss").empty());
  EXPECT_TRUE(Contains(thrown_message<std::runtime_error>([&] { f.read_floats("/batch/tokens"); }),
                       "/batch/tokens holds integers, not floats"));
  EXPECT_TRUE(Contains(thrown_message<std::runtime_error>([&] { f.read_ints("/loss"); }),
                       "/loss holds floats, not integers"));
}

TEST(H5File, AttributesOfEachType) {
  const std::string path = temp_path("attrs.h5");
  {
    H5File f = H5File::create(path, false);
    f.set_attr("/", "status", "running");
    f.set_attr("/", "status", std::string("completed"));  // replaced
    f.set_attr("/config", "pe", "rope");                  // the group is created
    f.set_attr("/config", "rope_base", 10000.0);
    f.set_attr("/config", "d_model", int64_t{64});
    f.set_attr("/config", "seed", 7);
    f.write_floats("/params/w", Tensor::zeros({2}));
    f.set_attr("/params/w", "decay", 1);  // on a dataset
  }
  const H5File f = H5File::open_read(path);
  EXPECT_EQ(f.get_attr_string("/", "status"), "completed");
  EXPECT_EQ(f.get_attr_string("config", "pe"), "rope");
  EXPECT_EQ(f.get_attr_double("/config", "rope_base"), 10000.0);
  EXPECT_EQ(f.get_attr_int64("/config", "d_model"), 64);
  EXPECT_EQ(f.get_attr_double("/config", "d_model"), 64.0);  // an integer reads as a double
  EXPECT_EQ(f.get_attr_int64("/config", "seed"), 7);
  EXPECT_EQ(f.get_attr_int64("/params/w", "decay"), 1);
  EXPECT_TRUE(f.has_attr("/config", "pe"));
  EXPECT_FALSE(f.has_attr("/config", "n_heads"));
  EXPECT_FALSE(f.has_attr("/nowhere", "pe"));
  EXPECT_EQ(f.attr_names("/config"),
            (std::vector<std::string>{"d_model", "pe", "rope_base", "seed"}));
  EXPECT_TRUE(
      Contains(thrown_message<std::runtime_error>([&] { f.get_attr_int64("/config", "pe"); }),
               "attribute 'pe' of /config holds a string, not integers"));
  const std::string missing =
      thrown_message<std::runtime_error>([&] { f.get_attr_string("/config", "n_heads"); });
  EXPECT_TRUE(Contains(missing, path));
  EXPECT_TRUE(Contains(missing, "/config has no attribute 'n_heads'"));
}

TEST(H5File, AppendRowGrowsALog) {
  const std::string path = temp_path("log.h5");
  {
    H5File f = H5File::create(path, false);
    for (int step = 0; step < 3000; ++step) {  // several chunks
      f.append("/train/loss", 1.0 / (step + 1));
      f.append_row("/train/curve", std::vector<double>{double(step), 0.5 * step});
    }
    f.append_row("/eval/by_length", std::vector<float>{0.25f, 0.5f, 1.0f});
    f.append_row("/eval/by_length", std::vector<float>{0.75f, 1.0f, 1.0f});
    f.flush();
    EXPECT_TRUE(Contains(thrown_message<std::runtime_error>(
                             [&] { f.append_row("/eval/by_length", std::vector<float>{1.0f}); }),
                         "cannot append a row of 1 to /eval/by_length, shape [2, 3]"));
  }
  const H5File f = H5File::open_read(path);
  EXPECT_EQ(f.shape("/train/loss"), (Shape{3000}));
  EXPECT_EQ(f.shape("/train/curve"), (Shape{3000, 2}));
  const std::vector<double> loss = f.read_doubles("/train/loss");
  EXPECT_EQ(loss[0], 1.0);
  EXPECT_EQ(loss[2999], 1.0 / 3000);
  const std::vector<double> curve = f.read_doubles("/train/curve");
  EXPECT_EQ(curve[2 * 1234], 1234.0);
  EXPECT_EQ(curve[2 * 1234 + 1], 617.0);
  EXPECT_EQ(f.read_floats("/eval/by_length").to_vector(),
            (std::vector<float>{0.25f, 0.5f, 1.0f, 0.75f, 1.0f, 1.0f}));
  EXPECT_EQ(f.list_datasets("/", true),
            (std::vector<std::string>{"eval/by_length", "train/curve", "train/loss"}));
  EXPECT_TRUE(f.list_datasets("/", false).empty());
}

TEST(H5File, AMissingPathNamesTheFileAndThePath) {
  const std::string path = temp_path("missing.h5");
  H5File::create(path, false).write_floats("/params/w", Tensor::zeros({2}));
  const H5File f = H5File::open_read(path);
  for (const char* p : {"/params/foo", "/nowhere/foo", "/params/w/below"}) {
    const std::string message = thrown_message<std::runtime_error>([&] { f.read_floats(p); });
    EXPECT_TRUE(Contains(message, path + ": "));
    EXPECT_TRUE(Contains(message, std::string("no dataset ") + p));
  }
  EXPECT_TRUE(Contains(thrown_message<std::runtime_error>([&] { f.read_floats("/params"); }),
                       "no dataset /params"));
  EXPECT_TRUE(
      Contains(thrown_message<std::runtime_error>([&] { f.list_datasets("/grads", false); }),
               "no group /grads"));
}

TEST(H5File, WritingAReadOnlyFileThrows) {
  const std::string path = temp_path("readonly.h5");
  H5File::create(path, false);
  {
    H5File f = H5File::open_read(path);
    EXPECT_TRUE(Contains(thrown_message<std::runtime_error>([&] { f.write_scalar("/loss", 1.0); }),
                         "cannot write /loss: the file is open read-only"));
  }
  H5File rw = H5File::open_rw(path);
  rw.write_scalar("/loss", 1.0);
  EXPECT_EQ(rw.read_scalar("/loss"), 1.0);
}

TEST(H5File, OpeningANonHdf5FileThrowsClearly) {
  const std::string path = temp_path("not_hdf5.h5");
  std::ofstream(path) << "step,loss\n0,2.5\n";
  const std::string message = thrown_message<std::runtime_error>([&] { H5File::open_read(path); });
  EXPECT_EQ(message, path + ": not an HDF5 file");
  const std::string absent = temp_path("absent.h5");
  EXPECT_EQ(thrown_message<std::runtime_error>([&] { H5File::open_rw(absent); }),
            absent + ": no such file");
}

TEST(H5File, CreateWithoutOverwriteOnAnExistingFileThrows) {
  const std::string path = temp_path("exists.h5");
  H5File::create(path, false).write_scalar("/loss", 1.0);
  EXPECT_TRUE(Contains(thrown_message<std::runtime_error>([&] { H5File::create(path, false); }),
                       path + ": already exists"));
  EXPECT_TRUE(H5File::open_read(path).has("/loss"));      // untouched
  EXPECT_FALSE(H5File::create(path, true).has("/loss"));  // overwrite: a new, empty file
}

}  // namespace
}  // namespace pelab
