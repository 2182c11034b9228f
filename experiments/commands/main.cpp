// pelab: the command-line program. `pelab <command> [options]`; `pelab <command> --help`.
// Exit codes: 0 done, 1 a failure while running, 2 bad input (an option or a file argument).
#include <unistd.h>

#include <boost/program_options.hpp>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "core/blas_kernel.h"
#include "experiments/commands/commands.h"
#include "experiments/run/cli.h"
#include "experiments/run/version.h"
#include "models/config.h"

namespace {

struct Command {
  const char* name;
  int (*run)(int, char**);
  const char* help;
};

const Command kCommands[] = {
    {"demo", pelab::demo_command,
     "train a small model on a toy problem and print its loss falling"},
    {"grads", pelab::grads_command,
     "write the loss and every gradient of one batch to an HDF5 file"},
    {"train", pelab::train_command, "train one model on one task; everything goes to one run file"},
    {"eval", pelab::eval_command,
     "evaluate a trained run again (RoPE scaling, other lengths) into a new run file"},
    {"bench", pelab::bench_command,
     "time a full training step (or sgemm, or attention) on a benchmark configuration"},
    {"sweep", pelab::sweep_command,
     "a grid of training runs (tasks x encodings x seeds x ...), one run file each"},
    {"report", pelab::report_command,
     "tables (and figures) of exact match by length from a directory of run files"},
    {"generate", pelab::generate_command,
     "greedy decoding of a trained run next to the expected answers"},
    {"options", pelab::options_command,
     "the encodings, tasks and option defaults this pelab knows, as JSON (for scripts)"},
};

int usage(FILE* out) {
  std::fprintf(out,
               "pelab %s: train small Transformers to study positional encodings\n\n"
               "usage: pelab <command> [options]   (pelab <command> --help for its options)\n\n"
               "commands:\n",
               pelab::kVersion);
  for (const Command& c : kCommands) std::fprintf(out, "  %-9s %s\n", c.name, c.help);
  return 0;
}

// OpenBLAS reads OPENBLAS_CORETYPE only while it loads, so choosing a stronger kernel than its
// own means starting again with the variable set (core/blas_kernel.h). The variable being set
// is what stops a second restart; if the restart fails, pelab runs on with OpenBLAS's choice.
void restart_with_stronger_blas_kernel(char** argv) {
  if (std::getenv("OPENBLAS_CORETYPE") != nullptr || std::getenv("PELAB_KEEP_BLAS") != nullptr)
    return;
  const char* kernel = pelab::stronger_blas_kernel(pelab::blas_kernel(), pelab::cpu_vectors());
  if (kernel == nullptr) return;
  setenv("OPENBLAS_CORETYPE", kernel, 1);
  execv("/proc/self/exe", argv);
  unsetenv("OPENBLAS_CORETYPE");
}

}  // namespace

int main(int argc, char** argv) {
  restart_with_stronger_blas_kernel(argv);
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  const std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") return usage(stdout);
  if (name == "--version") {
    std::printf("pelab %s\n", pelab::kVersion);
    return 0;
  }
  for (const Command& c : kCommands) {
    if (name != c.name) continue;
    try {
      return c.run(argc - 1, argv + 1);
    } catch (const boost::program_options::error& e) {
      std::fprintf(stderr, "pelab %s: %s\n", c.name, e.what());
      return 2;
    } catch (const pelab::ConfigError& e) {
      std::fprintf(stderr, "pelab %s: %s\n", c.name, e.what());
      return 2;
    } catch (const pelab::UsageError& e) {
      std::fprintf(stderr, "pelab %s: %s\n", c.name, e.what());
      return 2;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "pelab %s: %s\n", c.name, e.what());
      return 1;
    }
  }
  std::fprintf(stderr, "pelab: unknown command '%s' (see pelab --help)\n", name.c_str());
  return 2;
}
