// Runs a pelab command in the test's own process, as main() would with
// argv = {"pelab", command, args...}: the extension tests need the schemes and tasks they
// registered, which a separate pelab process would not have.
#pragma once

#include <string>
#include <vector>

namespace pelab::test {

inline int run_command(int (*command)(int, char**), std::vector<std::string> args) {
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return command(static_cast<int>(args.size()), argv.data());
}

}  // namespace pelab::test
