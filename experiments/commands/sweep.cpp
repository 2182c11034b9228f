// `pelab sweep`: a grid of training runs, each a separate `pelab train` process writing its own
// run file into --out DIR, --jobs at a time (docs/experiments.md).
//
//   pelab sweep --out runs/cmp --pe none,rope,alibi --task copy,reverse --seed 0,1,2 --jobs 2
//
// This file makes the plan: its own options, the INI file (--config) merged under the flags,
// the grid with its per-run overrides, the shard, every run's settings checked before any
// starts, and --list. experiments/sweep/runner.cpp trains the plan: it skips finished runs,
// resumes interrupted ones, leaves runs another sweep holds the lock of, and reports failures
// without stopping (runner.h). --shard I/N and --list spread one sweep over many machines (a
// Slurm array, GNU parallel).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "core/threads.h"
#include "experiments/run/cli.h"
#include "experiments/commands/commands.h"
#include "experiments/sweep/grid.h"
#include "experiments/sweep/runner.h"
#include "experiments/run/train_options.h"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace pelab {
namespace {

// Options of the runs that the sweep sets itself.
const char* const kSweepOwned[] = {"out", "resume", "config", "threads", "force", "help"};

struct SweepOptions {
  std::string out;
  int jobs = 0;
  int threads = 0;
  std::string shard;
  bool list = false;
  bool status = false;
};

// (option, text) pairs from the tokens boost did not recognize: "--pe none,rope",
// "--pe=none,rope", or a bare switch "--addition-reversed".
std::vector<std::pair<std::string, std::string>> run_option_tokens(
    const std::vector<std::string>& tokens, const po::options_description& train) {
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const std::string& t = tokens[i];
    if (t.rfind("--", 0) != 0 || t.size() == 2)
      throw UsageError("unexpected argument '" + t + "' (options are --name value)");
    std::string name = t.substr(2), text;
    const auto eq = name.find('=');
    if (eq != std::string::npos) {
      text = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const po::option_description* d = train.find_nothrow(name, false);
    if (d == nullptr) throw UsageError("unknown option --" + name + " (see pelab train --help)");
    if (eq == std::string::npos && d->semantic()->max_tokens() > 0) {
      if (i + 1 >= tokens.size()) throw UsageError("--" + name + " needs a value");
      text = tokens[++i];
    }
    out.emplace_back(name, text);
  }
  return out;
}

// Where this program is, so the runs use the same pelab.
std::string self_path() {
  std::error_code ec;
  const fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("pelab") : p.string();
}

}  // namespace

int sweep_command(int argc, char** argv) {
  SweepOptions o;
  po::options_description own("sweep");
  own.add_options()("out", po::value(&o.out), "directory for the run files (created)")(
      "jobs", po::value(&o.jobs), "runs at once (default: one per core)")(
      "threads", po::value(&o.threads),
      "cores to use in all (default: every core); each run gets threads / jobs")(
      "shard", po::value(&o.shard), "run only the I-th of N equal parts, I/N with 0 <= I < N")(
      "list", po::bool_switch(&o.list), "print one `pelab train` command per run and stop")(
      "status", po::bool_switch(&o.status),
      "print each run's state (finished, train, resume, training, other-settings) and stop")(
      "config", po::value<std::string>(),
      "an INI file of option = value[, value...] lines (flags override it)")("help",
                                                                             "show this help");
  const char* usage =
      "usage: pelab sweep --out DIR [--jobs N] [--shard I/N] [--list | --status] [--config FILE]\n"
      "                   [any pelab train option, with comma-separated values to sweep]\n\n"
      "Every combination of the values is one run (pelab train), named by its settings:\n"
      "  pelab sweep --out runs/cmp --task copy,reverse --pe none,rope,alibi --seed 0,1,2";
  po::variables_map vm;
  const po::parsed_options parsed =
      po::command_line_parser(argc, argv).options(own).allow_unregistered().run();
  po::store(parsed, vm);
  if (vm.count("help")) {
    std::cout << usage << "\n\n" << own << "\n(and every option of pelab train --help)\n";
    return 0;
  }
  po::notify(vm);
  const po::options_description train = train_options();
  auto entries =
      run_option_tokens(po::collect_unrecognized(parsed.options, po::include_positional), train);

  std::vector<SweepOverride> overrides;
  if (vm.count("config")) {  // the file's entries, unless a flag gave the same option
    const std::string path = vm["config"].as<std::string>();
    SweepIni from_file;
    try {
      from_file = read_sweep_ini(path);
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what());
    }
    auto flag_given = [&](const std::string& name) {
      return std::any_of(entries.begin(), entries.end(),
                         [&](const auto& e) { return e.first == name; });
    };
    for (const SweepOverride& o : from_file.overrides) {
      std::vector<std::string> names = {o.option};
      for (const auto& when : o.when) names.push_back(when.first);
      for (const std::string& name : names)
        if (train.find_nothrow(name, false) == nullptr)
          throw UsageError("--config " + path + ": unknown option '" + name + "'");
      for (const char* owned : kSweepOwned)
        if (o.option == owned || o.option == "jobs")
          throw UsageError("--config " + path + ": " + o.option +
                           " cannot be set for some runs only");
      if (!flag_given(o.option)) overrides.push_back(o);  // a flag wins here too
    }
    std::vector<std::pair<std::string, std::string>> merged;
    for (const auto& [name, text] : from_file.entries) {
      if (name == "out" || name == "jobs") {
        if (name == "out" && !vm.count("out")) o.out = text;
        if (name == "jobs" && !vm.count("jobs")) {
          size_t used = 0;
          try {
            o.jobs = std::stoi(text, &used);
          } catch (const std::exception&) {
            used = 0;
          }
          if (used == 0 || used != text.size() || o.jobs < 1)
            throw UsageError("--config " + path + ": jobs must be a whole number >= 1, got '" +
                             text + "'");
        }
        continue;
      }
      if (train.find_nothrow(name, false) == nullptr)
        throw UsageError("--config " + path + ": unknown option '" + name + "'");
      if (!flag_given(name)) {
        merged.emplace_back(name, text);
        continue;
      }
      // The flag's value takes the file's place, so that a run's name (its varying options in
      // order) does not depend on whether a value came from the file or from a flag.
      for (const auto& e : entries)
        if (e.first == name) merged.push_back(e);
    }
    for (const auto& e : entries)  // the flags the file does not name, after its entries
      if (std::none_of(merged.begin(), merged.end(),
                       [&](const auto& m) { return m.first == e.first; }))
        merged.push_back(e);
    entries = std::move(merged);
  }

  if (o.list && o.status) throw UsageError("--list and --status: choose one");
  if (o.out.empty()) throw UsageError("--out: the directory for the run files is required");
  const int cores = o.threads > 0 ? o.threads : hardware_threads();
  if (vm.count("threads") && o.threads < 1)
    throw UsageError("--threads must be at least 1, got " + std::to_string(o.threads));
  if (vm.count("jobs") && o.jobs < 1)
    throw UsageError("--jobs must be at least 1, got " + std::to_string(o.jobs));
  const int jobs = o.jobs > 0 ? o.jobs : cores;
  const int threads_per_run = std::max(1, cores / jobs);

  std::vector<SweepAxis> axes;
  for (const auto& [name, text] : entries) {
    for (const char* owned : kSweepOwned)
      if (name == owned)
        throw UsageError("--" + name + " is set by the sweep for each run; leave it out");
    for (const std::string& v : split_values(name, text))
      if (v.empty() && train.find_nothrow(name, false)->semantic()->max_tokens() > 0)
        throw UsageError("--" + name + ": an empty value in '" + text + "'");
    axes.push_back({name, split_values(name, text)});
  }
  std::vector<SweepRun> runs;
  try {
    runs = expand_grid(axes);
    apply_overrides(runs, overrides);
    if (!o.shard.empty()) {
      const auto [i, n] = parse_shard(o.shard);
      runs = shard(runs, i, n);
    }
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }

  SweepPlan plan;
  plan.runs = std::move(runs);
  plan.dir = o.out;
  plan.program = self_path();
  plan.jobs = jobs;
  plan.threads_per_run = threads_per_run;
  for (const SweepRun& run : plan.runs) {  // every run checked before any starts
    std::vector<std::string> args = train_command(plan, run);
    args.erase(args.begin());
    try {
      plan.wanted[run.name] = check_train_args(args);
    } catch (const std::exception& e) {
      throw UsageError("run " + run.name + ": " + e.what());
    }
  }
  if (o.list) {
    for (const SweepRun& run : plan.runs) {
      std::string line = shell_quote(plan.program);
      for (const std::string& a : train_command(plan, run)) line += " " + shell_quote(a);
      std::printf("%s\n", line.c_str());
    }
    return 0;
  }
  if (o.status) return sweep_status(plan);
  return run_sweep(plan);
}

}  // namespace pelab
