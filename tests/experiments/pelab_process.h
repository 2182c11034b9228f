// Running the built `pelab` program (PELAB_BINARY) from tests, as a user runs it, and comparing
// the files it writes.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "experiments/run/hdf5_io.h"

namespace pelab::test {

// A fresh path in the test's temporary directory, unique to this process (ctest runs tests
// side by side); the file and its FILE.tmp are removed first.
inline std::string temp_path(const std::string& name) {
  const std::string path =
      ::testing::TempDir() + "pelab_test_" + std::to_string(getpid()) + "_" + name;
  std::remove(path.c_str());
  std::remove((path + ".tmp").c_str());
  return path;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Result {
  int code = -1;
  std::string out, err;
};

// Runs a shell command and captures both streams and the exit code.
inline Result run_shell(const std::string& shell_command) {
  const std::string out_path = temp_path("stdout.txt"), err_path = temp_path("stderr.txt");
  const std::string command = shell_command + " > '" + out_path + "' 2> '" + err_path + "'";
  const int status = std::system(command.c_str());
  Result r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_file(out_path);
  r.err = read_file(err_path);
  std::remove(out_path.c_str());
  std::remove(err_path.c_str());
  return r;
}

// Runs `pelab <args>` (the built program) through the shell.
inline Result pelab(const std::string& args) {
  return run_shell(std::string("'") + PELAB_BINARY + "' " + args);
}

// Starts `pelab <args>` (split on spaces) with its output discarded, or its standard error
// written to `err_path` when one is given; returns its pid.
inline pid_t spawn(const std::string& args, const std::string& err_path = "") {
  std::vector<std::string> words = {PELAB_BINARY};
  std::istringstream in(args);
  for (std::string w; in >> w;) words.push_back(w);
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {  // the child: only async-signal-safe calls until exec
    const int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(err_path.empty() ? null : open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644), 2);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

// The number of evaluations saved in the run file `path`, or -1 while it cannot be read.
inline int64_t saved_evaluations(const std::string& path) {
  try {
    return H5File::open_read(path).shape("/eval/step")[0];
  } catch (const std::exception&) {
    return -1;
  }
}

// Waits (two minutes at most) until the run `pid` is writing has saved `saves` evaluations
// into `path`. False if the run ended first (its wait status in `status`).
inline bool wait_for_saves(pid_t pid, const std::string& path, int64_t saves, int& status) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (saved_evaluations(path) < saves && std::chrono::steady_clock::now() < deadline) {
    if (waitpid(pid, &status, WNOHANG) == pid) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

// Waits until the run has saved `saves` evaluations, sends it `signal` and waits for it to
// end. Returns its wait status: however the signal ended it, or however it ended if it ended
// first.
inline int signal_after_saves(pid_t pid, const std::string& path, int64_t saves, int signal) {
  int status = 0;
  if (!wait_for_saves(pid, path, saves, status)) return status;
  kill(pid, signal);
  waitpid(pid, &status, 0);
  return status;
}

// Waits (ten seconds at most) until `signal`, sent to the process `pid`, is no longer pending
// (/proc/PID/status, SigPnd and ShdPnd): its handler has taken it. False on the time limit.
inline bool wait_until_delivered(pid_t pid, int signal) {
  const unsigned long long bit = 1ull << (signal - 1);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    unsigned long long pending = 0;
    for (std::string line; std::getline(in, line);)
      if (line.rfind("SigPnd:", 0) == 0 || line.rfind("ShdPnd:", 0) == 0)
        pending |= std::stoull(line.substr(7), nullptr, 16);
    if ((pending & bit) == 0) return true;
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  return false;
}

// signal_after_saves with SIGKILL.
inline int kill_after_saves(pid_t pid, const std::string& path, int64_t saves) {
  return signal_after_saves(pid, path, saves, SIGKILL);
}

// Bit-for-bit equality of two float datasets (NaN == NaN when the bits agree).
inline ::testing::AssertionResult SameBits(const H5File& a, const H5File& b,
                                           const std::string& path) {
  const Tensor x = a.read_floats(path), y = b.read_floats(path);
  if (x.shape() != y.shape())
    return ::testing::AssertionFailure()
           << path << ": shapes " << shape_str(x.shape()) << " and " << shape_str(y.shape());
  if (std::memcmp(x.data(), y.data(), sizeof(float) * x.numel()) != 0)
    return ::testing::AssertionFailure() << path << " differs";
  return ::testing::AssertionSuccess();
}

}  // namespace pelab::test
