// Running a sweep's runs on this machine (experiments/sweep/runner.h).
#include "experiments/sweep/runner.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <thread>

#include "experiments/run/cli.h"
#include "experiments/run/model_options.h"
#include "experiments/run/option_table.h"
#include "experiments/training/stop_signals.h"
#include "experiments/run/train_config.h"

namespace fs = std::filesystem;

namespace pelab {
namespace {

// The settings in which a finished run's file differs from the run this sweep asks for, as
// "steps 5000 (this sweep: 10000), lr 0.001 (this sweep: 0.003)"; empty when none does.
std::string settings_difference(const RunRecord& file, const RunRecord& wanted) {
  std::string out;
  auto compare = [&](const auto& fields, const auto& in_file, const auto& asked) {
    const auto a = field_texts(fields, in_file), b = field_texts(fields, asked);
    for (size_t i = 0; i < a.size(); ++i)
      if (a[i].second != b[i].second)
        out += (out.empty() ? "" : ", ") + option_name(a[i].first.c_str()) + " " + a[i].second +
               " (this sweep: " + b[i].second + ")";
  };
  compare(model_fields(), file.model, wanted.model);
  compare(train_fields(), file.train, wanted.train);
  return out;
}

enum class RunState { kToTrain, kToResume, kFinished, kOtherSettings };

// A run is finished when its file opens and says completed or diverged. A finished run whose
// settings are not the ones asked for (a preset changed since it ran) is neither skipped as if
// it were this sweep's nor overwritten: `difference` says what differs. An interrupted run (its
// file says interrupted, or running when the process was killed, from a save after step 0) with
// the settings asked for is resumed from that save (`pelab train --resume`: the same bits as a run
// never stopped, at the same thread count); any other file is trained again from the start.
RunState run_state(const std::string& path, const RunRecord& wanted, std::string& difference) {
  if (!fs::exists(path)) return RunState::kToTrain;
  RunRecord file;
  try {
    file = load_run(path);
  } catch (const std::exception&) {
    return RunState::kToTrain;
  }
  const bool finished = run_finished(file);
  const bool stopped = file.status == "running" || file.status == "interrupted";
  if (!finished && (!stopped || file.step == 0)) return RunState::kToTrain;
  difference = settings_difference(file, wanted);
  if (!finished) return difference.empty() ? RunState::kToResume : RunState::kToTrain;
  return difference.empty() ? RunState::kFinished : RunState::kOtherSettings;
}

std::string last_lines(const std::string& path, size_t n) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    // a progress line redrawn with '\r' keeps only its last state
    const auto cr = line.find_last_of('\r');
    lines.push_back(cr == std::string::npos ? line : line.substr(cr + 1));
  }
  std::string out;
  for (size_t i = lines.size() > n ? lines.size() - n : 0; i < lines.size(); ++i)
    out += "    " + lines[i] + "\n";
  return out;
}

struct Job {
  std::string name, log;
  std::chrono::steady_clock::time_point start;
};

// Takes the run's lock: an open descriptor holding an exclusive flock on `path`, or -1 when
// another process holds it, or -1 with `error` set when the lock file cannot be opened.
int take_lock(const std::string& path, std::string& error) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT, 0644);
  if (fd < 0) {
    error = "cannot open " + path + ": " + std::strerror(errno);
    return -1;
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Starts `program args` with its output in `log` (appended to, for a resumed run); returns the
// child's pid. The child inherits lock_fd, so the run's lock lasts as long as the run, even if
// this sweep is stopped first.
pid_t start_run(const std::string& program, const std::vector<std::string>& args,
                const std::string& log, bool append, int lock_fd) {
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("cannot start a run: fork failed");
  if (pid == 0) {
    // Its own process group: a Ctrl-C at the terminal reaches the sweep alone, which passes it
    // on once (a second SIGINT would make the run leave without saving).
    setpgid(0, 0);
    FILE* f = std::fopen(log.c_str(), append ? "a" : "w");
    if (f != nullptr) {
      dup2(fileno(f), STDOUT_FILENO);
      dup2(fileno(f), STDERR_FILENO);
    }
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(program.c_str()));
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(program.c_str(), argv.data());
    std::fprintf(stderr, "pelab sweep: cannot run %s\n", program.c_str());
    _exit(127);
  }
  ::close(lock_fd);  // the child's copy keeps the lock
  return pid;
}

// Where a run's files are: DIR/NAME.h5, and DIR/logs/NAME.log and NAME.lock (`kind` ".log" or
// ".lock").
std::string run_file(const SweepPlan& plan, const std::string& name) {
  return (plan.dir / (name + ".h5")).string();
}
std::string log_dir_file(const SweepPlan& plan, const std::string& name, const char* kind) {
  return (plan.dir / "logs" / (name + kind)).string();
}

// A run state as `pelab sweep --status` prints it.
const char* state_name(RunState state) {
  switch (state) {
    case RunState::kFinished:
      return "finished";
    case RunState::kToResume:
      return "resume";
    case RunState::kToTrain:
      return "train";
    case RunState::kOtherSettings:
      return "other-settings";
  }
  return "unknown";
}

// Whether another process holds the lock at `path` now. Opens it read-only and tries a shared
// lock, so that asking creates nothing and blocks no one.
bool locked_elsewhere(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return false;  // no lock file: no run has started here
  const bool held = flock(fd, LOCK_SH | LOCK_NB) != 0;
  ::close(fd);
  return held;
}

}  // namespace

std::vector<std::string> train_command(const SweepPlan& plan, const SweepRun& run) {
  std::vector<std::string> args = {"train"};
  for (const std::string& a : run.train_args()) args.push_back(a);
  for (const std::string& a : {std::string("--out"), run_file(plan, run.name),
                               std::string("--threads"), std::to_string(plan.threads_per_run)})
    args.push_back(a);
  return args;
}

int run_sweep(const SweepPlan& plan) {
  const fs::path& dir = plan.dir;
  const std::vector<SweepRun>& runs = plan.runs;
  const std::map<std::string, RunRecord>& wanted = plan.wanted;
  const std::string& program = plan.program;
  const int jobs = plan.jobs, threads_per_run = plan.threads_per_run;
  auto file_of = [&](const std::string& name) { return run_file(plan, name); };
  auto args_of = [&](const SweepRun& run) { return train_command(plan, run); };

  std::error_code ec;
  fs::create_directories(dir / "logs", ec);
  if (ec)
    throw UsageError("--out: cannot create '" + (dir / "logs").string() + "': " + ec.message());

  const bool live = isatty(fileno(stderr)) != 0;
  std::vector<SweepRun> todo;
  std::vector<std::string> other_settings;
  auto report_other = [&](const std::string& name, const std::string& difference) {
    other_settings.push_back(name);
    std::fprintf(stderr,
                 "%spelab sweep: %s.h5 is a finished run with other settings: %s; left as it is "
                 "and not trained again (move it away to train it with this sweep's settings)\n",
                 live ? "\r\033[K" : "", name.c_str(), difference.c_str());
  };
  int done = 0, to_resume = 0;
  for (const SweepRun& run : runs) {
    std::string difference;
    switch (run_state(file_of(run.name), wanted.at(run.name), difference)) {
      case RunState::kFinished:
        ++done;
        break;
      case RunState::kOtherSettings:
        report_other(run.name, difference);
        break;
      case RunState::kToResume:
        ++to_resume;
        todo.push_back(run);
        break;
      case RunState::kToTrain:
        todo.push_back(run);
        break;
    }
  }
  std::fprintf(stderr,
               "pelab sweep: %zu runs in %s (%d finished before, %d to resume), %d at once, %d "
               "thread%s each\n",
               runs.size(), dir.c_str(), done, to_resume, jobs, threads_per_run,
               threads_per_run == 1 ? "" : "s");

  const auto t0 = std::chrono::steady_clock::now();
  auto seconds_since = [](std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
  };
  // A SIGINT, SIGTERM or SIGUSR1 to the sweep starts no more runs and is passed on to the
  // running ones, which save and stop; a further Ctrl-C is passed on too (they stop at once).
  const StopSignals stop(/*leave_at_once=*/false);
  bool passed_on = false;
  int extra_sigints_passed = 0;
  std::map<pid_t, Job> running;
  std::vector<std::string> failed, elsewhere, interrupted;
  double run_seconds = 0.0;
  int finished_here = 0;
  size_t next = 0;
  double last_print = -1e9;
  auto summary = [&](bool force) {
    const double now = seconds_since(t0);
    if (!force && now - last_print < (live ? 0.5 : 30.0)) return;
    last_print = now;
    const size_t left = todo.size() - next;
    std::string eta = "?";
    if (finished_here > 0)
      eta = format_duration(run_seconds / finished_here *
                            static_cast<double>(left + running.size()) / jobs);
    std::fprintf(stderr, "%ssweep: %d done, %zu running, %zu left, %zu failed, ETA %s%s",
                 live ? "\r\033[K" : "", done, running.size(), left, failed.size(), eta.c_str(),
                 live ? "" : "\n");
  };
  while ((next < todo.size() && stop.requested() == 0) || !running.empty()) {
    while (next < todo.size() && static_cast<int>(running.size()) < jobs && stop.requested() == 0) {
      const SweepRun& run = todo[next++];
      std::string lock_error;
      const int lock_fd = take_lock(log_dir_file(plan, run.name, ".lock"), lock_error);
      if (lock_fd < 0 && !lock_error.empty()) {
        failed.push_back(run.name);
        std::fprintf(stderr, "%sRUN FAILED %s: %s\n", live ? "\r\033[K" : "", run.name.c_str(),
                     lock_error.c_str());
        continue;
      }
      if (lock_fd < 0) {  // another sweep is training it now
        elsewhere.push_back(run.name);
        std::fprintf(stderr, "%spelab sweep: %s is being trained by another process; left to it\n",
                     live ? "\r\033[K" : "", run.name.c_str());
        continue;
      }
      std::string difference;  // finished by another sweep meanwhile?
      const RunState state = run_state(file_of(run.name), wanted.at(run.name), difference);
      if (state == RunState::kFinished || state == RunState::kOtherSettings) {
        ::close(lock_fd);
        if (state == RunState::kFinished)
          ++done;
        else
          report_other(run.name, difference);
        continue;
      }
      const bool resume = state == RunState::kToResume;
      std::vector<std::string> args = args_of(run);
      if (resume)  // from its last save, at this sweep's thread count
        args = {"train", "--resume", file_of(run.name), "--threads",
                std::to_string(threads_per_run)};
      else
        args.push_back("--force");  // a failed or unreadable run starts again
      const std::string log = log_dir_file(plan, run.name, ".log");
      running[start_run(program, args, log, resume, lock_fd)] = {run.name, log,
                                                                 std::chrono::steady_clock::now()};
    }
    summary(false);
    if (const int signal = stop.requested(); signal != 0) {
      if (!passed_on) {
        passed_on = true;
        std::fprintf(stderr,
                     "%spelab sweep: %s: passed on to the %zu running runs, which save and stop; "
                     "no run is started%s\n",
                     live ? "\r\033[K" : "", signal_name(signal).c_str(), running.size(),
                     signal == SIGINT ? " (Ctrl-C again stops them at once, unsaved)" : "");
        for (const auto& entry : running) kill(entry.first, signal);
      }
      const int extra_sigints = stop.sigints() - (signal == SIGINT ? 1 : 0);
      if (extra_sigints > extra_sigints_passed) {
        extra_sigints_passed = extra_sigints;
        for (const auto& entry : running) kill(entry.first, SIGINT);
      }
    }
    int status = 0;
    const pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      continue;
    }
    auto it = running.find(pid);
    if (it == running.end()) continue;
    const Job job = it->second;
    running.erase(it);
    run_seconds += seconds_since(job.start);
    ++finished_here;
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    const bool stopped_by_signal =
        code == 128 + SIGINT || code == 128 + SIGTERM || code == 128 + SIGUSR1;
    if (code == 0 || code == 3) {  // 3: diverged, a finished run the report flags
      ++done;
    } else if (stopped_by_signal) {  // saved (or as of its last save): the next sweep resumes it
      interrupted.push_back(job.name);
    } else {
      failed.push_back(job.name);
      std::fprintf(stderr, "%sRUN FAILED %s (exit %d), last lines of %s:\n%s",
                   live ? "\r\033[K" : "", job.name.c_str(), code, job.log.c_str(),
                   last_lines(job.log, 15).c_str());
    }
    last_print = -1e9;  // the next summary, after the next run has started, shows the change
  }
  summary(true);
  if (live) std::fprintf(stderr, "\n");
  const std::string interrupted_count =
      interrupted.empty() ? "" : ", " + std::to_string(interrupted.size()) + " interrupted";
  std::fprintf(stderr,
               "pelab sweep: %d of %zu runs finished, %zu failed, %zu with other settings%s, in "
               "%s\n",
               done, runs.size(), failed.size(), other_settings.size(), interrupted_count.c_str(),
               format_duration(seconds_since(t0)).c_str());
  if (!elsewhere.empty())
    std::fprintf(stderr,
                 "  %zu left to another process training them: start the sweep again once "
                 "it is done\n",
                 elsewhere.size());
  for (const std::string& name : failed)
    std::fprintf(stderr, "  failed: %s (log: %s)\n", name.c_str(),
                 log_dir_file(plan, name, ".log").c_str());
  for (const std::string& name : interrupted)
    std::fprintf(stderr, "  interrupted: %s (saved; the same pelab sweep command resumes it)\n",
                 name.c_str());
  if (stop.requested() != 0) {
    std::fprintf(stderr,
                 "pelab sweep: stopped by %s: %zu runs interrupted, %zu not started; run the same "
                 "command again to go on\n",
                 signal_name(stop.requested()).c_str(), interrupted.size(), todo.size() - next);
    return 128 + stop.requested();
  }
  if (!interrupted.empty()) return 1;
  for (const std::string& name : other_settings)
    std::fprintf(stderr, "  other settings: %s (its file was left as it is)\n",
                 file_of(name).c_str());
  return failed.empty() && other_settings.empty() ? 0 : 1;
}

int sweep_status(const SweepPlan& plan) {
  std::map<std::string, int> counts;
  for (const SweepRun& run : plan.runs) {
    std::string difference;
    const std::string state =
        locked_elsewhere(log_dir_file(plan, run.name, ".lock"))
            ? "training"
            : state_name(run_state(run_file(plan, run.name), plan.wanted.at(run.name), difference));
    ++counts[state];
    std::printf("%s %s%s\n", state.c_str(), run.name.c_str(),
                state == "other-settings" ? (": " + difference).c_str() : "");
  }
  std::printf(
      "%zu runs: %d finished, %d to train, %d to resume, %d training now, %d with other "
      "settings\n",
      plan.runs.size(), counts["finished"], counts["train"], counts["resume"], counts["training"],
      counts["other-settings"]);
  return 0;
}

}  // namespace pelab
