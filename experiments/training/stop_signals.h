// Stop requests by signal, for the commands that must save before they leave (`pelab train`,
// `pelab sweep`): SIGINT (Ctrl-C), SIGTERM (kill, Slurm's cancel and time limit) and SIGUSR1
// (Slurm's --signal warning before a time limit).
//
// While a StopSignals lives, the first of these signals is only recorded: the command asks
// `requested()` at a point where it can stop cleanly (a step's end), saves and exits with
// 128 + the signal. Further SIGTERM and SIGUSR1 change nothing (Slurm may send one to every
// process of a job as well as the one a sweep forwards). A SIGINT after any first signal is
// the user insisting: with `leave_at_once`, the process ends at once with 128 + SIGINT, after
// removing `scratch_file` (a half-written save), so the run file stays as of its last save.
// Without it, the second SIGINT is counted (`sigints()`) for the command to pass on.
#pragma once

#include <string>

namespace pelab {

class StopSignals {
 public:
  // Installs the handlers; the destructor puts back the ones before. One at a time.
  StopSignals(bool leave_at_once, const std::string& scratch_file = "");
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // The first signal received (SIGINT, SIGTERM or SIGUSR1), 0 while none has come.
  int requested() const;
  // How many SIGINTs have come so far.
  int sigints() const;
};

// "SIGINT", "SIGTERM", "SIGUSR1" (else "signal N").
std::string signal_name(int signal);

}  // namespace pelab
