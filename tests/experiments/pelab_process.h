// Running the built `pelab` program (PELAB_BINARY) from tests, as a user runs it.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

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

// Runs `pelab <args>` through the shell and captures both streams and the exit code.
inline Result pelab(const std::string& args) {
  const std::string out_path = temp_path("stdout.txt"), err_path = temp_path("stderr.txt");
  const std::string command =
      std::string("'") + PELAB_BINARY + "' " + args + " > '" + out_path + "' 2> '" + err_path + "'";
  const int status = std::system(command.c_str());
  Result r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_file(out_path);
  r.err = read_file(err_path);
  std::remove(out_path.c_str());
  std::remove(err_path.c_str());
  return r;
}

}  // namespace pelab::test
