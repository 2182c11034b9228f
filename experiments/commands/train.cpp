// `pelab train`: one training run from flags or an INI file (--config FILE; flags win), written
// to one HDF5 run file (--out). `pelab train --resume FILE` continues a stopped run exactly.
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "experiments/commands/commands.h"
#include "experiments/run/cli.h"
#include "experiments/run/train_options.h"
#include "experiments/training/trainer.h"

namespace po = boost::program_options;

namespace pelab {
namespace {

std::string join_command_line(int argc, char** argv) {
  std::string s = "pelab";
  for (int i = 0; i < argc; ++i) s += std::string(" ") + argv[i];
  return s;
}

}  // namespace

int train_command(int argc, char** argv) {
  const po::options_description all = train_options();
  po::variables_map vm;
  if (!parse_options(argc, argv, all, vm,
                     "usage: pelab train --out FILE [options]   or   pelab train --resume FILE",
                     "config"))
    return 0;

  TrainSetup setup;
  setup.command_line = join_command_line(argc, argv);
  setup.live = isatty(fileno(stderr)) != 0;
  setup.quiet = vm["quiet"].as<bool>();
  RunRecord record;
  if (vm.count("resume")) {
    setup.resume = true;
    setup.out = vm["resume"].as<std::string>();
    if (vm.count("out") && vm["out"].as<std::string>() != setup.out)
      throw UsageError("--resume continues the run in its own file; leave out --out");
    if (!std::filesystem::exists(setup.out))
      throw UsageError("--resume: no file '" + setup.out + "'");
    record = load_run_argument(setup.out, "--resume: ");
    if (record.status == "completed") {
      std::fprintf(stderr, "pelab train: %s is already completed\n", setup.out.c_str());
      return 0;
    }
    record.status = "running";
    record.message.clear();
    if (!setup.quiet)
      std::fprintf(stderr, "resuming %s at step %lld\n", setup.out.c_str(),
                   static_cast<long long>(record.step));
  } else {
    if (!vm.count("out")) throw UsageError("--out: the run file to write is required");
    setup.out = vm["out"].as<std::string>();
    if (std::filesystem::exists(setup.out) && !vm["force"].as<bool>())
      throw UsageError("--out: '" + setup.out + "' exists; pass --force to overwrite it");
    configure_run(vm, record);
    check_writable(setup.out);
    record.command_line = setup.command_line;
  }
  // After every check, so that bad input prints one line: the error.
  apply_threads(vm, !setup.quiet);
  return train(record, setup);
}

}  // namespace pelab
