// `pelab report`: the buckets, the table from runs with known numbers, and a directory with a
// corrupt file in it.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "experiments/report/summary.h"
#include "models/transformer.h"
#include "tests/core/test_util.h"
#include "tests/experiments/pelab_process.h"

namespace pelab {
namespace {

namespace fs = std::filesystem;
using test::Contains;

TEST(ReportBuckets, BoundariesAreInclusiveAboveAtOneTwoAndThreeTimesTheTrainingMaximum) {
  // m = 20: in-dist 1..20, (20, 30], (30, 40], (40, 60]
  EXPECT_EQ(bucket_of(1, 20), 0);
  EXPECT_EQ(bucket_of(20, 20), 0);
  EXPECT_EQ(bucket_of(21, 20), 1);
  EXPECT_EQ(bucket_of(30, 20), 1);
  EXPECT_EQ(bucket_of(31, 20), 2);
  EXPECT_EQ(bucket_of(40, 20), 2);
  EXPECT_EQ(bucket_of(41, 20), 3);
  EXPECT_EQ(bucket_of(60, 20), 3);
  EXPECT_EQ(bucket_of(61, 20), -1);
  // m = 5: 1.5m = 7.5, so 7 is in (m, 1.5m] and 8 is not
  EXPECT_EQ(bucket_of(7, 5), 1);
  EXPECT_EQ(bucket_of(8, 5), 2);
}

TEST(ReportBuckets, EncodingLabels) {
  ModelConfig m;
  m.pe = "rope";
  EXPECT_EQ(encoding_label(m), "rope");
  m.random_positions = 64;
  EXPECT_EQ(encoding_label(m), "rope+rand");
  m.random_positions = 0;
  m.rope_scaling = "yarn";
  EXPECT_EQ(encoding_label(m), "rope+yarn");
  m.pe = "alibi";
  m.rope_scaling = "none";
  EXPECT_EQ(encoding_label(m), "alibi");
  TrainConfig t;
  t.position_ids = "coupled";
  EXPECT_EQ(encoding_label(m, t), "alibi+coupled");
  t.position_ids = "sequential";
  t.index_hints = true;
  EXPECT_EQ(encoding_label(m, t), "alibi+hints");
}

// A finished run on lengths 1..8 (m = 4) whose last evaluation scores `em[n - 1]` at length n.
NamedRun run(const std::string& name, const std::string& task, const std::string& pe,
             const std::vector<double>& em, const std::string& status = "completed") {
  NamedRun r;
  r.name = name;
  r.record.status = status;
  r.record.train.task = task;
  r.record.train.train_len_max = 4;
  r.record.model.pe = pe;
  for (int64_t n = 1; n <= static_cast<int64_t>(em.size()); ++n)
    r.record.eval_log.lengths.push_back(n);
  r.record.eval_log.step = {100, 200};
  r.record.eval_log.exact_match = {std::vector<double>(em.size(), 0.0), em};  // last row counts
  return r;
}

TEST(ReportSummary, MeansAndStandardDeviationsOverSeedsByBucket) {
  // lengths 1-4 in-dist, 5-6 up to 1.5x, 7-8 1.5-2x; nothing in 2-3x
  const std::vector<NamedRun> runs = {
      run("a0", "copy", "rope", {1, 1, 1, 1, 0.5, 0.5, 0, 0}),
      run("a1", "copy", "rope", {1, 1, 1, 1, 0.7, 0.9, 0.2, 0}),
      run("b0", "copy", "none", {1, 1, 0.9, 0.9, 0, 0, 0, 0}),
      run("c0", "copy", "alibi", {1, 1, 1, 1, 1, 1, 1, 1}, "diverged"),
      run("d0", "copy", "t5", {1, 1, 1, 1, 1, 1, 1, 1}, "running"),  // left out
      run("e0", "reverse", "rope", {1, 1, 1, 1, 0, 0, 0, 0}),
  };
  const std::vector<SummaryRow> rows = summarize(runs);
  ASSERT_EQ(rows.size(), 4u);
  // sorted by task, then in the encodings' order: none, rope, alibi
  EXPECT_EQ(rows[0].encoding, "none");
  EXPECT_EQ(rows[1].encoding, "rope");
  EXPECT_EQ(rows[2].encoding, "alibi");
  EXPECT_EQ(rows[3].task, "reverse");

  const SummaryRow& rope = rows[1];
  EXPECT_EQ(rope.runs, 2);
  EXPECT_DOUBLE_EQ(rope.buckets[0].mean, 1.0);
  EXPECT_DOUBLE_EQ(rope.buckets[0].std, 0.0);
  // run means 0.5 and 0.8: mean 0.65, sample std sqrt(((0.15)^2 * 2) / 1)
  EXPECT_NEAR(rope.buckets[1].mean, 0.65, 1e-12);
  EXPECT_NEAR(rope.buckets[1].std, std::sqrt(2 * 0.15 * 0.15), 1e-12);
  EXPECT_NEAR(rope.buckets[2].mean, 0.05, 1e-12);
  EXPECT_EQ(rope.buckets[3].n, 0);
  EXPECT_TRUE(rope.below_99.empty());

  const SummaryRow& none = rows[0];
  EXPECT_NEAR(none.buckets[0].mean, 0.95, 1e-12);
  EXPECT_EQ(none.below_99, std::vector<std::string>{"b0"});
  EXPECT_EQ(rows[2].diverged, std::vector<std::string>{"c0"});

  const std::string md = to_markdown(rows);
  EXPECT_TRUE(Contains(md, "| copy | rope | 2 | 1.00 ± 0.00 | 0.65 ± 0.21 | 0.05 ± 0.07 | - |  |"));
  EXPECT_TRUE(Contains(md, "| copy | none | 1 | 0.95 | 0.00 | 0.00 | - | 1 below 0.99 in-dist |"));
  EXPECT_TRUE(Contains(md, "| copy | alibi | 1 | 1.00 | 1.00 | 1.00 | - | 1 diverged |"));
  const std::string csv = to_csv(rows);
  EXPECT_TRUE(Contains(csv, "copy,rope,2,1.000000,0.000000,2,0.650000,0.212132,2,"));
}

TEST(ReportSummary, RunsThatDifferInMoreThanTheSeedGetARowEach) {
  std::vector<NamedRun> runs = {
      run("s0", "copy", "none", {1, 1, 1, 1}), run("s1", "copy", "none", {1, 1, 0, 0}),
      run("deep", "copy", "none", {1, 1, 1, 1}), run("rope", "copy", "rope", {1, 1, 1, 1})};
  runs[1].record.train.seed = 7;      // another seed: the same experiment
  runs[2].record.model.n_layers = 4;  // another model: its own row
  runs[3].record.model.n_layers = 4;  // alone in its encoding: no label needed
  const std::vector<SummaryRow> rows = summarize(runs);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].encoding, "none (n_layers=2)");
  EXPECT_EQ(rows[0].runs, 2);
  EXPECT_DOUBLE_EQ(rows[0].buckets[0].mean, 0.75);
  EXPECT_EQ(rows[1].encoding, "none (n_layers=4)");
  EXPECT_EQ(rows[1].runs, 1);
  EXPECT_EQ(rows[2].encoding, "rope");
}

// Run files written with known scores (no training): pelab report reads them back into the
// table, the CSV included.
TEST(ReportCommand, TableFromRunFilesWithKnownNumbers) {
  const std::string dir = test::temp_path("report_known");
  fs::remove_all(dir);
  fs::create_directories(dir);
  ModelConfig model;
  model.vocab_size = 8;
  model.d_model = 8;
  model.n_heads = 2;
  model.n_layers = 1;
  model.pe = "none";
  Transformer transformer(model);
  const struct {
    const char* name;
    int64_t seed;
    std::vector<double> em;
    double wall_time;
    const char* task;
    std::string message;
  } files[] = {
      {"a", 0, {1, 1, 1, 1, 0.4, 0.6, 0.2, 0.0}, 100.0, "copy", ""},
      {"b", 1, {1, 1, 1, 0.96, 0.8, 0.6, 0.0, 0.0}, 200.0, "copy", ""},
      // an evaluation of a: a's training time again, not counted twice
      {"c", 0, {1, 1, 1, 1, 0, 0, 0, 0}, 100.0, "reverse", kEvaluatedFrom + dir + "/a.h5"}};
  for (const auto& f : files) {
    NamedRun r = run(f.name, f.task, "none", f.em);
    r.record.model = model;
    r.record.train.seed = f.seed;
    r.record.wall_time = f.wall_time;
    r.record.message = f.message;
    r.record.eval_log.token_accuracy = r.record.eval_log.exact_match;
    save_run(dir + "/" + f.name + ".h5", r.record, transformer.params(), nullptr);
  }
  const test::Result r = test::pelab("report '" + dir + "'");
  ASSERT_EQ(r.code, 0) << r.err;
  // in-dist: 1.00 and 0.99 -> 0.995 ± 0.007; (4, 6]: 0.5 and 0.7; (6, 8]: 0.1 and 0.0. Run b's
  // 0.96 is stored as float32 (0.9599999...), so its in-dist mean falls just under 0.99.
  EXPECT_TRUE(Contains(r.out,
                       "| copy | none | 2 | 0.99 ± 0.01 | 0.60 ± 0.14 | 0.05 ± 0.07 | - | "
                       "1 below 0.99 in-dist |"))
      << r.out;
  EXPECT_TRUE(Contains(test::read_file(dir + "/report.csv"),
                       "copy,none,2,0.995000,0.007071,2,0.600000,0.141421,2,0.050000,0.070711,2,"
                       ",,0,0,1"));
  EXPECT_TRUE(Contains(r.out,
                       "Training time: 5m00s in all (the wall_time of the 2 finished runs "
                       "that trained, added up; evaluations of them not counted again), "
                       "the longest run 3m20s."))
      << r.out;
  fs::remove_all(dir);
}

TEST(ReportCommand, SkipsACorruptFileAndReportsTheRest) {
  const std::string dir = test::temp_path("report_dir");
  fs::remove_all(dir);
  const test::Result sweep = test::pelab(
      "sweep --threads 1 --task copy --pe none --seed 0 --steps 20 --eval-every 20 --d-model 16 "
      "--n-heads 2 --n-layers 1 --train-len-max 4 --eval-len-max 8 --eval-examples 16 "
      "--probe-examples 0 --out '" +
      dir + "'");
  ASSERT_EQ(sweep.code, 0) << sweep.err;
  { std::ofstream(dir + "/broken.h5") << "not an HDF5 file"; }
  const test::Result r = test::pelab("report '" + dir + "'");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(Contains(r.err, "skipping " + dir + "/broken.h5"));
  EXPECT_TRUE(Contains(r.out, "| copy | none | 1 |"));
  EXPECT_TRUE(Contains(r.out, "2 run files: 1 read, 1 skipped"));
  EXPECT_TRUE(fs::exists(dir + "/report.csv"));
  EXPECT_TRUE(fs::exists(dir + "/report.md"));
  fs::remove_all(dir);

  const test::Result missing = test::pelab("report /nonexistent/runs");
  EXPECT_EQ(missing.code, 2);
  EXPECT_TRUE(Contains(missing.err, "'/nonexistent/runs' is not a directory"));
}

}  // namespace
}  // namespace pelab
