#include "experiments/report/summary.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "experiments/run/model_options.h"
#include "experiments/run/option_table.h"
#include "experiments/run/train_config.h"
#include "models/encodings/registry.h"

namespace pelab {

const char* const kBucketNames[kBuckets] = {"in-dist", "<=1.5x", "1.5-2x", "2-3x"};

int bucket_of(int64_t n, int64_t m) {
  // in integers: n <= m, 2n <= 3m, n <= 2m, n <= 3m
  if (n <= m) return 0;
  if (2 * n <= 3 * m) return 1;
  if (n <= 2 * m) return 2;
  if (n <= 3 * m) return 3;
  return -1;
}

std::string encoding_label(const ModelConfig& model, const TrainConfig& train) {
  std::string label = model.pe;
  if (model.random_positions > 0) label += "+rand";
  if (!model.rope_scaling.empty() && model.rope_scaling != "none")
    label += "+" + model.rope_scaling;
  if (train.position_ids != "sequential") label += "+" + train.position_ids;
  if (train.index_hints) label += "+hints";
  return label;
}

const std::vector<std::string>& encoding_variants() {
  static const std::vector<std::string> variants = {
      "", "+rand", "+pi", "+ntk", "+yarn", "+pi-dynamic", "+ntk-dynamic", "+yarn-dynamic"};
  return variants;
}

int encoding_rank(const std::string& label) {
  const std::string pe = label.substr(0, label.find('+'));
  const std::string variant = label.substr(pe.size());
  const std::vector<EncodingScheme>& schemes = encoding_schemes();
  int scheme = 0;  // unknown: after every scheme
  while (scheme < static_cast<int>(schemes.size()) && schemes[scheme].name != pe) ++scheme;
  const std::vector<std::string>& variants = encoding_variants();
  const int v = static_cast<int>(std::find(variants.begin(), variants.end(), variant) -
                                 variants.begin());  // others: after the listed ones
  return scheme * 100 + v;
}

namespace {

// Every option of a run but its seed, as text.
std::map<std::string, std::string> settings_but_seed(const RunRecord& r) {
  std::map<std::string, std::string> out;
  for (auto& [name, text] : field_texts(model_fields(), r.model)) out[name] = text;
  for (auto& [name, text] : field_texts(train_fields(), r.train)) out[name] = text;
  out.erase("seed");
  return out;
}

}  // namespace

std::vector<SummaryRow> summarize(const std::vector<NamedRun>& runs) {
  // Runs of one task and encoding that differ in more than their seed (say n_layers) are not
  // seeds of one experiment: the options that differ go into the encoding's label, one row each.
  std::vector<const NamedRun*> finished;
  std::map<std::pair<std::string, std::string>, std::vector<size_t>> by_label;
  std::vector<std::map<std::string, std::string>> settings;
  for (const NamedRun& run : runs) {
    if (!run_finished(run.record)) continue;
    by_label[{run.record.train.task, encoding_label(run.record.model, run.record.train)}].push_back(
        finished.size());
    finished.push_back(&run);
    settings.push_back(settings_but_seed(run.record));
  }
  std::vector<std::string> label(finished.size());
  for (const auto& [key, members] : by_label) {
    std::set<std::string> varying;
    for (size_t m : members)
      for (const auto& [name, text] : settings[m])
        if (settings[members.front()].at(name) != text) varying.insert(name);
    for (size_t m : members) {
      label[m] = key.second;
      std::string suffix;
      for (const std::string& name : varying)
        suffix += (suffix.empty() ? "" : ", ") + name + "=" + settings[m].at(name);
      if (!suffix.empty()) label[m] += " (" + suffix + ")";
    }
  }

  struct Scores {
    SummaryRow row;
    std::vector<double> values[kBuckets];
  };
  std::map<std::pair<std::string, std::string>, Scores> groups;
  for (size_t i = 0; i < finished.size(); ++i) {
    const NamedRun& run = *finished[i];
    const RunRecord& r = run.record;
    Scores& g = groups[{r.train.task, label[i]}];
    g.row.task = r.train.task;
    g.row.encoding = label[i];
    ++g.row.runs;
    if (r.status == "diverged") g.row.diverged.push_back(run.name);
    double sum[kBuckets] = {}, count[kBuckets] = {};
    if (!r.eval_log.exact_match.empty()) {
      const std::vector<double>& last = r.eval_log.exact_match.back();
      for (size_t k = 0; k < r.eval_log.lengths.size() && k < last.size(); ++k) {
        const int b = bucket_of(r.eval_log.lengths[k], r.train.train_len_max);
        if (b < 0) continue;
        sum[b] += last[k];
        count[b] += 1.0;
      }
    }
    for (int b = 0; b < kBuckets; ++b)
      if (count[b] > 0) g.values[b].push_back(sum[b] / count[b]);
    if (count[0] == 0 || sum[0] / count[0] < 0.99) g.row.below_99.push_back(run.name);
  }
  std::vector<SummaryRow> rows;
  for (auto& [key, g] : groups) {
    for (int b = 0; b < kBuckets; ++b) {
      const std::vector<double>& v = g.values[b];
      BucketStat& s = g.row.buckets[b];
      s.n = static_cast<int>(v.size());
      if (v.empty()) continue;
      for (double x : v) s.mean += x;
      s.mean /= static_cast<double>(v.size());
      if (v.size() > 1) {
        double ss = 0.0;
        for (double x : v) ss += (x - s.mean) * (x - s.mean);
        s.std = std::sqrt(ss / static_cast<double>(v.size() - 1));
      }
    }
    rows.push_back(g.row);
  }
  std::sort(rows.begin(), rows.end(), [](const SummaryRow& a, const SummaryRow& b) {
    if (a.task != b.task) return a.task < b.task;
    const int ra = encoding_rank(a.encoding.substr(0, a.encoding.find(' ')));
    const int rb = encoding_rank(b.encoding.substr(0, b.encoding.find(' ')));
    if (ra != rb) return ra < rb;
    return a.encoding < b.encoding;
  });
  return rows;
}

namespace {

std::string cell(const BucketStat& s) {
  if (s.n == 0) return "-";
  char buf[48];
  if (s.n == 1)
    std::snprintf(buf, sizeof buf, "%.2f", s.mean);
  else
    std::snprintf(buf, sizeof buf, "%.2f ± %.2f", s.mean, s.std);
  return buf;
}

std::string flags(const SummaryRow& r) {
  std::string f;
  if (!r.diverged.empty()) f += std::to_string(r.diverged.size()) + " diverged";
  if (!r.below_99.empty())
    f += (f.empty() ? "" : "; ") + std::to_string(r.below_99.size()) + " below 0.99 in-dist";
  return f;
}

}  // namespace

std::string to_markdown(const std::vector<SummaryRow>& rows) {
  std::string out = "| task | encoding | seeds |";
  for (const char* b : kBucketNames) out += std::string(" ") + b + " |";
  out += " flags |\n|---|---|---|";
  for (int b = 0; b < kBuckets; ++b) out += "---|";
  out += "---|\n";
  for (const SummaryRow& r : rows) {
    out += "| " + r.task + " | " + r.encoding + " | " + std::to_string(r.runs) + " |";
    for (const BucketStat& s : r.buckets) out += " " + cell(s) + " |";
    out += " " + flags(r) + " |\n";
  }
  return out;
}

std::string to_csv(const std::vector<SummaryRow>& rows) {
  std::string out = "task,encoding,seeds";
  for (const char* b : kBucketNames)
    out += std::string(",") + b + "_mean," + b + "_std," + b + "_n";
  out += ",diverged,below_99\n";
  for (const SummaryRow& r : rows) {
    out += r.task + "," + r.encoding + "," + std::to_string(r.runs);
    for (const BucketStat& s : r.buckets) {
      char buf[96];
      if (s.n == 0)
        std::snprintf(buf, sizeof buf, ",,,0");
      else
        std::snprintf(buf, sizeof buf, ",%.6f,%.6f,%d", s.mean, s.std, s.n);
      out += buf;
    }
    out += "," + std::to_string(r.diverged.size()) + "," + std::to_string(r.below_99.size()) + "\n";
  }
  return out;
}

}  // namespace pelab
