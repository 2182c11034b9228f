// What every `pelab` command shares: option parsing with one clear error line, and the
// distinction between bad input (exit 2) and a failure while running (exit 1).
#pragma once

#include <boost/program_options.hpp>
#include <stdexcept>
#include <string>

namespace pelab {

// Bad input from the user: an option or a file argument. main() prints it and exits with 2.
class UsageError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Parses argv against `options`. With ini_option (e.g. "config"), the option of that name
// names an INI file whose values the command line overrides. With positional (e.g. "file"), a
// bare argument is the value of that option. Returns false when --help was asked for (and
// printed).
bool parse_options(int argc, char** argv,
                   const boost::program_options::options_description& options,
                   boost::program_options::variables_map& vm, const char* usage,
                   const char* ini_option = nullptr, const char* positional = nullptr);

// Adds --threads (default: every core) and applies it; prints the setting when `announce`.
void add_thread_option(boost::program_options::options_description& options);
void apply_threads(const boost::program_options::variables_map& vm, bool announce);

// `s` as one word for a POSIX shell: as it is when it is made of safe characters only, else in
// single quotes.
std::string shell_quote(const std::string& s);

// A duration for people: "7m05s" under an hour, "2h13m" from an hour on (rounded to the second).
std::string format_duration(double seconds);

}  // namespace pelab
