// Stop requests by signal (experiments/training/stop_signals.h). A handler may only touch
// lock-free atomics and call async-signal-safe functions (write, unlink, _exit): it records,
// and the command does the rest at its next check.
#include "experiments/training/stop_signals.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <stdexcept>

namespace pelab {
namespace {

constexpr int kStopSignals[] = {SIGINT, SIGTERM, SIGUSR1};

std::atomic<int> g_first{0};
std::atomic<int> g_sigints{0};
std::atomic<bool> g_leave_at_once{false};
std::atomic<bool> g_installed{false};
char g_scratch[4096];  // written before the handlers are installed, read-only after
struct sigaction g_previous[3];

void on_stop_signal(int sig) {
  const int first = g_first.load();
  if (sig == SIGINT) g_sigints.fetch_add(1);
  if (first == 0) {
    g_first.store(sig);
    return;
  }
  if (sig == SIGINT && g_leave_at_once.load()) {
    if (g_scratch[0] != '\0') unlink(g_scratch);
    const char msg[] = "\nstopped at once (a second Ctrl-C): the file is as of its last save\n";
    [[maybe_unused]] const ssize_t n = write(STDERR_FILENO, msg, sizeof msg - 1);
    _exit(128 + SIGINT);
  }
}

}  // namespace

StopSignals::StopSignals(bool leave_at_once, const std::string& scratch_file) {
  if (g_installed.exchange(true)) throw std::logic_error("StopSignals: one at a time");
  if (scratch_file.size() >= sizeof g_scratch)
    throw std::invalid_argument("StopSignals: path too long: " + scratch_file);
  std::memcpy(g_scratch, scratch_file.c_str(), scratch_file.size() + 1);
  g_first.store(0);
  g_sigints.store(0);
  g_leave_at_once.store(leave_at_once);
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;  // a write or a wait in progress goes on
  for (int i = 0; i < 3; ++i) sigaction(kStopSignals[i], &action, &g_previous[i]);
}

StopSignals::~StopSignals() {
  for (int i = 0; i < 3; ++i) sigaction(kStopSignals[i], &g_previous[i], nullptr);
  g_scratch[0] = '\0';
  g_installed.store(false);
}

int StopSignals::requested() const {
  return g_first.load();
}

int StopSignals::sigints() const {
  return g_sigints.load();
}

std::string signal_name(int signal) {
  switch (signal) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    case SIGUSR1:
      return "SIGUSR1";
  }
  return "signal " + std::to_string(signal);
}

}  // namespace pelab
