// The report's table: exact match by length bucket for each task and encoding, over seeds.
// Pure logic over loaded run records; experiments/commands/report.cpp reads the files and prints.
#pragma once

#include <string>
#include <vector>

#include "experiments/run/run_file.h"

namespace pelab {

// Length buckets relative to the longest training length m: in-distribution n <= m, then
// (m, 1.5m], (1.5m, 2m], (2m, 3m]. A run's score in a bucket is the mean exact match of its last
// evaluation over the evaluated lengths that fall in it (none: no score).
constexpr int kBuckets = 4;
extern const char* const kBucketNames[kBuckets];  // "in-dist", "<=1.5x", "1.5-2x", "2-3x"
int bucket_of(int64_t n, int64_t train_len_max);  // 0..3, or -1 beyond 3m

// What distinguishes an encoding in the table: pe, plus "+rand" with --random-positions,
// "+pi" / "+ntk" / "+yarn" with --rope-scaling (e.g. "rope+yarn"), and the positions a task
// assigns: "+coupled" / "+digit" with --position-ids, "+hints" with --index-hints.
std::string encoding_label(const ModelConfig& model, const TrainConfig& train = {});

// The variants of a scheme's label in the order the table lists them after the plain scheme:
// "", "+rand", then the RoPE scaling methods as --help lists them; others ("+coupled", ...) after.
const std::vector<std::string>& encoding_variants();
// Sort key of an encoding label: its scheme's place in the registry (models/encodings/
// registry.h), then its variant (plain, +rand, the RoPE scaling methods, others); unknown last.
int encoding_rank(const std::string& label);

struct BucketStat {
  int n = 0;                     // runs with a score in this bucket
  double mean = 0.0, std = 0.0;  // std: sample standard deviation (0 with one run)
};

struct SummaryRow {
  std::string task, encoding;
  int runs = 0;  // finished runs (completed or diverged)
  BucketStat buckets[kBuckets];
  std::vector<std::string> diverged;  // names of diverged runs
  std::vector<std::string> below_99;  // names of runs under 0.99 in-distribution
};

struct NamedRun {
  std::string name;
  RunRecord record;
};

// One row per (task, encoding) of the finished runs (completed or diverged), sorted by task and
// encoding rank. Runs of one task and encoding that differ in options other than the seed get
// one row per combination, those options in the label: "none (n_layers=2)". Runs without any
// evaluation count as below 99%, with no scores.
std::vector<SummaryRow> summarize(const std::vector<NamedRun>& runs);

std::string to_markdown(const std::vector<SummaryRow>& rows);
std::string to_csv(const std::vector<SummaryRow>& rows);

}  // namespace pelab
