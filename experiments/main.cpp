// pelab: the command-line program. `pelab <command> [options]`; `pelab <command> --help`.
#include <boost/program_options.hpp>
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>

#include "core/threads.h"
#include "experiments/demo.h"
#include "experiments/version.h"

namespace po = boost::program_options;

namespace {

int usage() {
  std::printf(
      "pelab %s: train small Transformers to study positional encodings\n\n"
      "usage: pelab <command> [options]   (pelab <command> --help for its options)\n\n"
      "commands:\n"
      "  demo    train a small model on a toy problem and print its loss falling\n",
      pelab::kVersion);
  return 0;
}

int demo(int argc, char** argv) {
  po::options_description opts("pelab demo options");
  opts.add_options()("help", "show this help")(
      "steps", po::value<int>()->default_value(200), "training steps")(
      "seed", po::value<uint64_t>()->default_value(0), "random seed")(
      "threads", po::value<int>()->default_value(pelab::hardware_threads()), "threads");
  po::variables_map vm;
  po::store(po::parse_command_line(argc, argv, opts), vm);
  po::notify(vm);
  if (vm.count("help")) {
    std::cout << opts << "\n";
    return 0;
  }
  pelab::set_threads(vm["threads"].as<int>());
  std::printf("pelab %s, threads %d\n", pelab::kVersion, pelab::threads());
  return pelab::run_demo(vm["steps"].as<int>(), vm["seed"].as<uint64_t>());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  const std::string command = argv[1];
  try {
    if (command == "--help" || command == "-h" || command == "help") return usage();
    if (command == "--version") {
      std::printf("pelab %s\n", pelab::kVersion);
      return 0;
    }
    if (command == "demo") return demo(argc - 1, argv + 1);
    std::fprintf(stderr, "pelab: unknown command '%s' (see pelab --help)\n", command.c_str());
    return 2;
  } catch (const po::error& e) {
    std::fprintf(stderr, "pelab %s: %s\n", command.c_str(), e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pelab %s: %s\n", command.c_str(), e.what());
    return 1;
  }
}
