#include "experiments/run/cli.h"

#include <cstdio>
#include <fstream>
#include <iostream>

#include "core/blas_kernel.h"
#include "core/threads.h"
#include "experiments/run/version.h"

namespace po = boost::program_options;

namespace pelab {

bool parse_options(int argc, char** argv, const po::options_description& options,
                   po::variables_map& vm, const char* usage, const char* ini_option,
                   const char* positional) {
  po::positional_options_description bare;
  if (positional != nullptr) bare.add(positional, 1);
  po::store(po::command_line_parser(argc, argv).options(options).positional(bare).run(), vm);
  if (vm.count("help")) {
    std::cout << usage << "\n\n" << options << "\n";
    return false;
  }
  if (ini_option != nullptr && vm.count(ini_option)) {
    const std::string flag = std::string("--") + ini_option;
    const std::string path = vm[ini_option].as<std::string>();
    std::ifstream in(path);
    if (!in) throw UsageError(flag + ": cannot read '" + path + "'");
    try {
      po::store(po::parse_config_file(in, options), vm);  // flags were stored first and win
    } catch (const po::error& e) {
      throw UsageError(flag + " " + path + ": " + e.what());
    }
  }
  po::notify(vm);
  return true;
}

void add_thread_option(po::options_description& options) {
  options.add_options()("threads", po::value<int>()->default_value(hardware_threads()),
                        "threads for pelab's loops and BLAS (default: every core)");
}

void apply_threads(const po::variables_map& vm, bool announce) {
  const int n = vm["threads"].as<int>();
  if (n < 1) throw UsageError("--threads must be at least 1, got " + std::to_string(n));
  set_threads(n);
  if (announce)
    std::fprintf(stderr, "pelab %s, threads %d, OpenBLAS kernel %s\n", kVersion, threads(),
                 blas_kernel().c_str());
}

std::string shell_quote(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                        "0123456789-_.,/+=:") == std::string::npos)
    return s;
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string format_duration(double seconds) {
  const long s = static_cast<long>(seconds + 0.5);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, s / 60 % 60);
  else
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  return buf;
}

}  // namespace pelab
