// `pelab report DIR`: the table of a sweep (or of any directory of run files, gathered from
// many machines): exact match by length bucket for each task and encoding, mean ± standard
// deviation over seeds. Markdown to the terminal and DIR/report.md, CSV to DIR/report.csv;
// --plots also draws the figures with experiments/plots.py (python3 with h5py and matplotlib).
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "experiments/commands/commands.h"
#include "experiments/report/summary.h"
#include "experiments/run/cli.h"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace pelab {
namespace {

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out) throw std::runtime_error("cannot write '" + path.string() + "'");
}

// experiments/plots.py: $PELAB_PLOTS, else the source tree pelab was built from.
std::string plots_script() {
  if (const char* env = std::getenv("PELAB_PLOTS")) return env;
  return std::string(PELAB_SOURCE_DIR) + "/experiments/plots.py";
}

// The Python that draws: $PELAB_PYTHON, else Debian's (where python3-h5py and
// python3-matplotlib install), else the first python3 on the PATH.
std::string python() {
  if (const char* env = std::getenv("PELAB_PYTHON")) return env;
  return fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

}  // namespace

int report_command(int argc, char** argv) {
  std::string dir;
  std::vector<std::string> attention;
  po::options_description options("report");
  options.add_options()("dir", po::value(&dir), "the directory of run files (*.h5)")(
      "plots", po::bool_switch(), "also draw the figures into DIR/figures (PNG and SVG)")(
      "attention", po::value(&attention)->multitoken(),
      "with --plots: runs (file names without .h5) whose attention maps to draw")("help",
                                                                                  "show this help");
  po::positional_options_description positional;
  positional.add("dir", 1);
  po::variables_map vm;
  po::store(po::command_line_parser(argc, argv).options(options).positional(positional).run(), vm);
  if (vm.count("help")) {
    std::cout << "usage: pelab report DIR [--plots [--attention RUN ...]]\n\n" << options << "\n";
    return 0;
  }
  po::notify(vm);
  if (dir.empty()) throw UsageError("report: give the directory of run files (pelab report DIR)");
  if (!fs::is_directory(dir)) throw UsageError("report: '" + dir + "' is not a directory");

  std::vector<fs::path> files;
  for (const fs::directory_entry& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".h5") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::vector<NamedRun> runs;
  std::vector<std::string> unfinished;
  int skipped = 0;
  for (const fs::path& f : files) {
    try {
      NamedRun run{f.stem().string(), load_run(f.string())};
      if (!run_finished(run.record))
        unfinished.push_back(run.name + " (" + run.record.status + ")");
      runs.push_back(std::move(run));
    } catch (const std::exception& e) {
      ++skipped;
      std::fprintf(stderr, "pelab report: skipping %s: %s\n", f.string().c_str(), e.what());
    }
  }
  if (files.empty()) throw UsageError("report: no run file (*.h5) in '" + dir + "'");
  if (runs.empty())
    throw UsageError("report: none of the " + std::to_string(files.size()) + " .h5 files in '" +
                     dir + "' is a readable run file");
  const std::vector<SummaryRow> rows = summarize(runs);
  const std::string md = to_markdown(rows);
  std::printf("%s", md.c_str());
  std::printf("\n%zu run files: %zu read, %d skipped (unreadable)", files.size(), runs.size(),
              skipped);
  if (!unfinished.empty()) {
    std::printf(", %zu not finished and left out:", unfinished.size());
    for (const std::string& u : unfinished) std::printf(" %s", u.c_str());
  }
  // What the training cost, to tell a user what reproducing the directory takes: the runs'
  // wall_time added up. A file of `pelab eval` carries the training time of the run it
  // evaluated, so it is not counted again.
  double total = 0.0, longest = 0.0;
  int trained = 0;
  for (const NamedRun& run : runs) {
    if (!run_finished(run.record) || evaluated_from_another_run(run.record)) continue;
    ++trained;
    total += run.record.wall_time;
    longest = std::max(longest, run.record.wall_time);
  }
  if (trained > 0)
    std::printf(
        "\nTraining time: %s in all (the wall_time of the %d finished runs that trained, "
        "added up; evaluations of them not counted again), the longest run %s.",
        format_duration(total).c_str(), trained, format_duration(longest).c_str());
  std::printf(
      "\nBuckets by input length n against the longest training length m: in-dist n <= m, "
      "then (m, 1.5m], (1.5m, 2m], (2m, 3m]; each the mean exact match over its lengths, "
      "then mean ± standard deviation over seeds.\n");
  write_text(fs::path(dir) / "report.md", md);
  write_text(fs::path(dir) / "report.csv", to_csv(rows));
  std::printf("wrote %s and %s\n", (fs::path(dir) / "report.md").c_str(),
              (fs::path(dir) / "report.csv").c_str());

  if (vm["plots"].as<bool>()) {
    std::string command = shell_quote(python()) + " " + shell_quote(plots_script()) + " " +
                          shell_quote(dir) + " --out " +
                          shell_quote((fs::path(dir) / "figures").string());
    if (!attention.empty()) {
      command += " --attention";
      for (const std::string& a : attention) command += " " + shell_quote(a);
    }
    // plot_runs.py asks this pelab for its encodings' order and its options' defaults.
    std::error_code error;
    const fs::path self = fs::read_symlink("/proc/self/exe", error);
    if (!error) setenv("PELAB_BINARY", self.c_str(), 1);
    std::fflush(stdout);
    const int status = std::system(command.c_str());
    if (status != 0)
      throw std::runtime_error("drawing the figures failed (" + command +
                               "); it needs python3 with h5py and matplotlib (Debian: "
                               "python3-h5py python3-matplotlib)");
  }
  return 0;
}

}  // namespace pelab
