// Running a sweep's runs on this machine: `jobs` at a time, each a `pelab train` process with
// its output in DIR/logs/NAME.log and an exclusive lock on DIR/logs/NAME.lock for as long as it
// trains. experiments/commands/sweep.cpp builds the plan (options, INI file, grid, shard) and
// hands it here.
//
// A run whose file says completed or diverged is skipped; an interrupted one (a save after step
// 0, the settings asked for) is resumed from its last save; any other is trained from the
// start. A finished file trained with other settings than the plan's is reported and left as it
// is. A run another process holds the lock of is left to it. A failed run's last log lines are
// printed and the others go on; a live line says done / running / left / failed and an ETA.
// SIGINT, SIGTERM or SIGUSR1 to the sweep is passed on to its runs (each in its own process
// group), which save and stop; the sweep starts no more, waits for them, names the interrupted
// ones and exits with 128 + the signal. The same sweep command started again resumes them.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "experiments/run/run_file.h"
#include "experiments/sweep/grid.h"

namespace pelab {

struct SweepPlan {
  std::vector<SweepRun> runs;
  std::map<std::string, RunRecord> wanted;  // each run's settings, by name (check_train_args)
  std::filesystem::path dir;                // --out: the run files, and logs/ in it
  std::string program;                      // the pelab the runs are started with
  int jobs = 1;                             // runs at once
  int threads_per_run = 1;
};

// One run's command line after the program: "train", its settings, --out DIR/NAME.h5 and
// --threads.
std::vector<std::string> train_command(const SweepPlan& plan, const SweepRun& run);

// Trains what is not finished, `plan.jobs` at a time, reporting on stderr. Returns the exit
// status of `pelab sweep`: 0, 1 when a run failed or was interrupted on its own or a finished
// file has other settings, 128 + the signal when the sweep was stopped by one.
int run_sweep(const SweepPlan& plan);

// `pelab sweep --status`: what run_sweep would do with each run, trains nothing and writes
// nothing. One line per run on stdout, "STATE NAME", STATE one of finished, train (never
// started, failed or unreadable), resume (interrupted after a save), training (another process
// holds its lock now) and other-settings (a finished file trained with other settings than the
// plan's, with what differs after a colon); then a count of each. Returns 0.
int sweep_status(const SweepPlan& plan);

}  // namespace pelab
