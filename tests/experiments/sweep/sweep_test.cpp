// `pelab sweep`: the grid, the shards, and the runs as processes (tiny runs of a few steps).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "experiments/run/hdf5_io.h"
#include "experiments/run/run_file.h"
#include "experiments/sweep/grid.h"
#include "tests/core/test_util.h"
#include "tests/experiments/pelab_process.h"

namespace pelab {
namespace {

namespace fs = std::filesystem;
using test::Contains;
using test::pelab;

std::vector<SweepAxis> three_axes() {
  return {{"task", {"copy", "reverse"}},
          {"pe", {"none", "rope", "alibi"}},
          {"seed", {"0", "1"}},
          {"steps", {"20"}}};
}

TEST(SweepGrid, ExpandsEveryCombinationLastAxisFastest) {
  const std::vector<SweepRun> runs = expand_grid(three_axes());
  ASSERT_EQ(runs.size(), 12u);
  EXPECT_EQ(runs[0].name, "task-copy_pe-none_seed-0");
  EXPECT_EQ(runs[1].name, "task-copy_pe-none_seed-1");
  EXPECT_EQ(runs[2].name, "task-copy_pe-rope_seed-0");
  EXPECT_EQ(runs[11].name, "task-reverse_pe-alibi_seed-1");
  const std::vector<std::string> expected = {"--task", "copy", "--pe",    "none",
                                             "--seed", "0",    "--steps", "20"};
  EXPECT_EQ(runs[0].train_args(), expected);
  std::set<std::string> names;
  for (const SweepRun& r : runs) names.insert(r.name);
  EXPECT_EQ(names.size(), 12u);
}

TEST(SweepGrid, NamesCarryVaryingAxesAndSafeCharacters) {
  const std::vector<SweepRun> runs =
      expand_grid({{"pe", {"rope"}}, {"lr", {"1e-3", "3e-3"}}, {"warmup", {"10"}}});
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].name, "pe-rope_lr-1e-3");
  EXPECT_EQ(runs[1].name, "pe-rope_lr-3e-3");
  EXPECT_EQ(expand_grid({{"pe", {"a/b c"}}})[0].name, "pe-a-b-c");
  // the options that tell encodings apart name the run even with one value
  EXPECT_EQ(
      expand_grid({{"pe", {"rope"}}, {"random-positions", {"128"}}, {"steps", {"9"}}})[0].name,
      "pe-rope_random-positions-128");
  EXPECT_THROW(expand_grid({{"lr", {"a/b", "a:b"}}, {"pe", {"rope"}}}), std::invalid_argument);
  EXPECT_THROW(expand_grid({{"pe", {}}}), std::invalid_argument);
}

TEST(SweepGrid, SplitsValuesButNotListValuedOptions) {
  EXPECT_EQ(split_values("pe", "none, rope,alibi"),
            (std::vector<std::string>{"none", "rope", "alibi"}));
  EXPECT_EQ(split_values("eval-lens", "10,20,40"), (std::vector<std::string>{"10,20,40"}));
}

TEST(SweepGrid, ShardsCoverEveryRunExactlyOnce) {
  const std::vector<SweepRun> runs = expand_grid(three_axes());
  for (int64_t n : {1, 2, 3, 5, 12, 13}) {
    std::map<std::string, int> seen;
    size_t smallest = runs.size(), largest = 0;
    for (int64_t i = 0; i < n; ++i) {
      const std::vector<SweepRun> part = shard(runs, i, n);
      smallest = std::min(smallest, part.size());
      largest = std::max(largest, part.size());
      for (const SweepRun& r : part) ++seen[r.name];
    }
    EXPECT_EQ(seen.size(), runs.size()) << "n = " << n;
    for (const auto& [name, count] : seen) EXPECT_EQ(count, 1) << name << ", n = " << n;
    EXPECT_LE(largest - smallest, 1u) << "n = " << n;
  }
}

TEST(SweepGrid, ParsesShards) {
  EXPECT_EQ(parse_shard("0/4"), (std::pair<int64_t, int64_t>{0, 4}));
  EXPECT_EQ(parse_shard("3/4"), (std::pair<int64_t, int64_t>{3, 4}));
  for (const char* bad : {"4/4", "1", "-1/4", "a/b", "1/0", "/4"})
    EXPECT_THROW(parse_shard(bad), std::invalid_argument) << bad;
}

TEST(SweepGrid, ReadsIniFiles) {
  const std::string path = test::temp_path("sweep.ini");
  {
    std::ofstream f(path);
    f << "# a preset\n[grid]\ntask = copy, reverse   ; two tasks\npe=rope\n\nseed = 0,1,2\n";
  }
  const auto entries = read_sweep_ini(path).entries;
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0], (std::pair<std::string, std::string>{"task", "copy, reverse"}));
  EXPECT_EQ(entries[2], (std::pair<std::string, std::string>{"seed", "0,1,2"}));
  {
    std::ofstream f(path);
    f << "task = copy\nthis line has no equals sign\n";
  }
  try {
    read_sweep_ini(path);
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_TRUE(Contains(e.what(), "line 2"));
  }
  std::remove(path.c_str());
}

TEST(SweepGrid, SectionsSetOptionsForSomeRunsOnly) {
  const std::string path = test::temp_path("sections.ini");
  {
    std::ofstream f(path);
    f << "task = copy, addition\npe = rope, sinusoidal\nlr = 1e-3\n"
         "[pe = sinusoidal]\nlr = 3e-3\n[task=addition]\naddition-reversed =\n"
         "[task = addition, pe = rope]\nsteps = 9\n[back to all]\nseed = 0\n";
  }
  const SweepIni ini = read_sweep_ini(path);
  ASSERT_EQ(ini.entries.size(), 4u);
  EXPECT_EQ(ini.entries[3], (std::pair<std::string, std::string>{"seed", "0"}));
  ASSERT_EQ(ini.overrides.size(), 3u);
  using When = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(ini.overrides[1].when, (When{{"task", "addition"}}));
  EXPECT_EQ(ini.overrides[2].when, (When{{"task", "addition"}, {"pe", "rope"}}));
  EXPECT_EQ(condition_text(ini.overrides[2]), "[task = addition, pe = rope]");
  EXPECT_EQ(ini.overrides[1].option, "addition-reversed");
  EXPECT_EQ(ini.overrides[1].value, "");

  std::vector<SweepAxis> axes;
  for (const auto& [option, text] : ini.entries)
    axes.push_back({option, split_values(option, text)});
  std::vector<SweepRun> runs = expand_grid(axes);
  apply_overrides(runs, ini.overrides);
  ASSERT_EQ(runs.size(), 4u);
  std::map<std::string, std::string> args;
  for (const SweepRun& r : runs) {
    std::string joined;
    for (const std::string& a : r.train_args()) joined += a + " ";
    args[r.name] = joined;
  }
  EXPECT_EQ(args["task-copy_pe-rope_seed-0"], "--task copy --pe rope --lr 1e-3 --seed 0 ");
  EXPECT_EQ(args["task-copy_pe-sinusoidal_seed-0"],
            "--task copy --pe sinusoidal --lr 3e-3 --seed 0 ");
  EXPECT_EQ(args["task-addition_pe-rope_seed-0"],
            "--task addition --pe rope --lr 1e-3 --seed 0 --addition-reversed --steps 9 ");
  EXPECT_EQ(args["task-addition_pe-sinusoidal_seed-0"],
            "--task addition --pe sinusoidal --lr 3e-3 --seed 0 --addition-reversed ");

  EXPECT_THROW(apply_overrides(runs, {{{{"n-layers", "4"}}, "lr", "1e-3"}}), std::invalid_argument);
  EXPECT_THROW(apply_overrides(runs, {{{{"pe", "rope"}, {"n-layers", "4"}}, "lr", "1e-3"}}),
               std::invalid_argument);  // a condition on an option no run sets
  EXPECT_THROW(apply_overrides(runs, {{{{"pe", "rope"}}, "lr", "1e-3, 3e-3"}}),
               std::invalid_argument);
  {
    std::ofstream f(path);
    f << "task = copy\n[pe = rope, alibi]\nlr = 1\n";  // a list of values is not a condition
  }
  try {
    read_sweep_ini(path);
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_TRUE(Contains(e.what(), "line 2")) << e.what();
    EXPECT_TRUE(Contains(e.what(), "[option = value, ...]")) << e.what();
  }
  std::remove(path.c_str());
}

// ---------------------------------------------------------------------------------------------
// The sweep as a user runs it.

const char* kTiny =
    "--threads 2 --jobs 2 --task copy --steps 30 --eval-every 30 --d-model 16 --n-heads 2 "
    "--n-layers 1 --train-len-max 4 --eval-len-max 6 --eval-examples 16 --probe-examples 0";

std::string fresh_dir(const std::string& name) {
  const std::string dir = test::temp_path(name);
  fs::remove_all(dir);
  return dir;
}

std::string status_of(const std::string& path) {
  return H5File::open_read(path).get_attr_string("/", "status");
}

TEST(Sweep, RunsEveryRunOnceAndSkipsFinishedOnesWhenStartedAgain) {
  const std::string dir = fresh_dir("sweep_runs");
  const std::string args =
      std::string("sweep ") + kTiny + " --pe none,rope --seed 0,1 --out '" + dir + "'";
  const test::Result first = pelab(args);
  ASSERT_EQ(first.code, 0) << first.err;
  const std::vector<std::string> names = {"task-copy_pe-none_seed-0", "task-copy_pe-none_seed-1",
                                          "task-copy_pe-rope_seed-0", "task-copy_pe-rope_seed-1"};
  std::map<std::string, fs::file_time_type> written;
  for (const std::string& n : names) {
    const std::string path = dir + "/" + n + ".h5";
    ASSERT_TRUE(fs::exists(path)) << path;
    EXPECT_EQ(status_of(path), "completed");
    EXPECT_TRUE(fs::exists(dir + "/logs/" + n + ".log"));
    written[n] = fs::last_write_time(path);
  }
  // An interrupted run (its file unreadable) and a missing one are redone; the others are not.
  { std::ofstream(dir + "/" + names[1] + ".h5") << "cut off"; }
  fs::remove(dir + "/" + names[2] + ".h5");
  const test::Result second = pelab(args);
  ASSERT_EQ(second.code, 0) << second.err;
  EXPECT_TRUE(Contains(second.err, "(2 finished before, 0 to resume)"));
  EXPECT_EQ(fs::last_write_time(dir + "/" + names[0] + ".h5"), written[names[0]]);
  EXPECT_EQ(fs::last_write_time(dir + "/" + names[3] + ".h5"), written[names[3]]);
  EXPECT_EQ(status_of(dir + "/" + names[1] + ".h5"), "completed");
  EXPECT_EQ(status_of(dir + "/" + names[2] + ".h5"), "completed");
  fs::remove_all(dir);
}

TEST(Sweep, AFailingRunDoesNotStopTheOthers) {
  const std::string dir = fresh_dir("sweep_fail");
  fs::create_directories(dir + "/task-copy_pe-none_seed-0.h5/blocked");  // cannot be written
  const test::Result r =
      pelab(std::string("sweep ") + kTiny + " --pe none,rope --seed 0 --out '" + dir + "'");
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(Contains(r.err, "RUN FAILED task-copy_pe-none_seed-0"));
  EXPECT_TRUE(Contains(r.err, "1 failed"));
  EXPECT_EQ(status_of(dir + "/task-copy_pe-rope_seed-0.h5"), "completed");
  fs::remove_all(dir);
}

// A run that another process is training (its lock held: here by the test itself) is left to
// that process, not trained a second time into the same file; once the lock is free, a sweep
// started again trains it.
TEST(Sweep, ARunLockedByAnotherProcessIsLeftToIt) {
  const std::string dir = fresh_dir("sweep_lock");
  fs::create_directories(dir + "/logs");
  const std::string lock = dir + "/logs/task-copy_pe-none_seed-0.lock";
  const int fd = ::open(lock.c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(flock(fd, LOCK_EX | LOCK_NB), 0);
  const std::string args =
      std::string("sweep ") + kTiny + " --pe none,rope --seed 0 --out '" + dir + "'";
  const test::Result held = pelab(args);
  EXPECT_EQ(held.code, 0) << held.err;
  EXPECT_TRUE(Contains(held.err, "task-copy_pe-none_seed-0 is being trained by another process"))
      << held.err;
  EXPECT_TRUE(Contains(held.err, "1 left to another process")) << held.err;
  EXPECT_FALSE(fs::exists(dir + "/task-copy_pe-none_seed-0.h5"));
  EXPECT_EQ(status_of(dir + "/task-copy_pe-rope_seed-0.h5"), "completed");
  ::close(fd);
  const test::Result again = pelab(args);
  EXPECT_EQ(again.code, 0) << again.err;
  EXPECT_TRUE(Contains(again.err, "(1 finished before, 0 to resume)")) << again.err;
  EXPECT_EQ(status_of(dir + "/task-copy_pe-none_seed-0.h5"), "completed");
  fs::remove_all(dir);
}

// A finished run trained with other settings than the sweep asks for (a preset changed since)
// is not skipped as if it were this sweep's, nor overwritten: it is reported with what differs,
// and the sweep exits 1. Moved away, it is trained with the new settings.
TEST(Sweep, AFinishedRunWithOtherSettingsIsReportedAndKept) {
  const std::string dir = fresh_dir("sweep_other");
  const std::string args =
      std::string("sweep ") + kTiny + " --pe none --seed 0 --out '" + dir + "'";
  ASSERT_EQ(pelab(args).code, 0);
  const std::string path = dir + "/task-copy_pe-none_seed-0.h5";
  const auto written = fs::last_write_time(path);
  std::string other = args;  // kTiny's --steps 30 becomes 40, and a learning rate of its own
  other.replace(other.find("--steps 30"), 10, "--steps 40 --lr 0.002");
  const test::Result changed = pelab(other);
  EXPECT_EQ(changed.code, 1) << changed.err;
  EXPECT_TRUE(Contains(changed.err,
                       "task-copy_pe-none_seed-0.h5 is a finished run with other settings: "
                       "steps 30 (this sweep: 40), lr 0.003 (this sweep: 0.002)"))
      << changed.err;
  EXPECT_TRUE(Contains(changed.err, "0 of 1 runs finished, 0 failed, 1 with other settings"))
      << changed.err;
  EXPECT_EQ(fs::last_write_time(path), written);
  // The same settings again: finished, nothing to do.
  const test::Result same = pelab(args);
  EXPECT_EQ(same.code, 0) << same.err;
  EXPECT_TRUE(Contains(same.err, "(1 finished before, 0 to resume)")) << same.err;
  fs::rename(path, dir + "/old.h5");
  const test::Result moved = pelab(other);
  EXPECT_EQ(moved.code, 0) << moved.err;
  EXPECT_EQ(load_run(path).train.steps, 40);
  fs::remove_all(dir);
}

// --status says what a sweep would do with each run, and does nothing: a finished run, one never
// started, one another process is training (its lock held, here by the test) and a finished
// file trained with other settings (a none run where the grid asks for rope).
TEST(Sweep, StatusSaysWhatEachRunWouldGetAndTouchesNothing) {
  const std::string dir = fresh_dir("sweep_status");
  ASSERT_EQ(pelab(std::string("sweep ") + kTiny + " --pe none --seed 0 --out '" + dir + "'").code,
            0);
  fs::copy_file(dir + "/task-copy_pe-none_seed-0.h5", dir + "/task-copy_pe-rope_seed-1.h5");
  const std::string lock = dir + "/logs/task-copy_pe-rope_seed-0.lock";
  const int fd = ::open(lock.c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(flock(fd, LOCK_EX | LOCK_NB), 0);
  const auto before = fs::last_write_time(dir + "/task-copy_pe-none_seed-0.h5");
  const test::Result r = pelab(std::string("sweep ") + kTiny +
                               " --pe none,rope --seed 0,1 --status --out '" + dir + "'");
  ::close(fd);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "finished task-copy_pe-none_seed-0\n"
            "train task-copy_pe-none_seed-1\n"
            "training task-copy_pe-rope_seed-0\n"
            "other-settings task-copy_pe-rope_seed-1: pe none (this sweep: rope), seed 0 (this "
            "sweep: 1)\n"
            "4 runs: 1 finished, 1 to train, 0 to resume, 1 training now, 1 with other settings\n");
  EXPECT_FALSE(fs::exists(dir + "/task-copy_pe-none_seed-1.h5"));
  EXPECT_FALSE(fs::exists(dir + "/logs/task-copy_pe-none_seed-1.lock"));
  EXPECT_EQ(fs::last_write_time(dir + "/task-copy_pe-none_seed-0.h5"), before);
  const test::Result both = pelab("sweep --out d --task copy --list --status");
  EXPECT_EQ(both.code, 2);
  EXPECT_TRUE(Contains(both.err, "--list and --status: choose one")) << both.err;
  fs::remove_all(dir);
}

// An interrupted run (killed after a save: its file says running) is resumed from that save,
// not trained again from the start, and ends with the same bits as a run never stopped. Steps of
// ~35 ms (lengths 20-30, batch 128) give the killer the steps between the second evaluation and
// the end to act in, as in train_test's ResumeAfterSigkillGivesTheSameBits.
TEST(Sweep, AnInterruptedRunIsResumedToTheSameBits) {
  const std::string whole = fresh_dir("sweep_whole"), cut = fresh_dir("sweep_cut");
  const std::string grid =
      " --jobs 1 --threads 1 --task copy --pe rope --seed 3 --d-model 32 --n-heads 2 "
      "--n-layers 1 --train-len-min 20 --train-len-max 30 --batch-size 128 --steps 40 "
      "--eval-every 10 --eval-lens 5,20 --eval-examples 32 --probe-examples 0";
  const std::string name = "task-copy_pe-rope_seed-3";
  ASSERT_EQ(pelab("sweep --out '" + whole + "'" + grid).code, 0);

  // The same run as the sweep would start it, killed after its second save.
  const test::Result listed = pelab("sweep --list --out '" + cut + "'" + grid);
  ASSERT_EQ(listed.code, 0) << listed.err;
  std::string args;  // its `pelab train` options, without the program and the shell quotes
  {
    std::istringstream in(listed.out);
    std::string word;
    in >> word;
    while (in >> word)
      args += " " + (word.front() == '\'' ? word.substr(1, word.size() - 2) : word);
  }
  fs::create_directories(cut);
  const std::string path = cut + "/" + name + ".h5";
  const pid_t pid = test::spawn(args);
  ASSERT_GT(pid, 0);
  const int status = test::kill_after_saves(pid, path, 2);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the run ended before it could be killed";
  ASSERT_EQ(status_of(path), "running");

  const test::Result resumed = pelab("sweep --out '" + cut + "'" + grid);
  ASSERT_EQ(resumed.code, 0) << resumed.err;
  EXPECT_TRUE(Contains(resumed.err, "(0 finished before, 1 to resume)")) << resumed.err;
  const std::string logged = test::read_file(cut + "/logs/" + name + ".log");
  EXPECT_TRUE(Contains(logged, "resuming " + path + " at step ")) << logged;
  const H5File a = H5File::open_read(whole + "/" + name + ".h5"), b = H5File::open_read(path);
  EXPECT_EQ(b.get_attr_string("/", "status"), "completed");
  for (const char* data : {"/train/loss", "/eval/exact_match", "/checkpoint/adam_m"})
    EXPECT_TRUE(test::SameBits(a, b, data));
  fs::remove_all(whole);
  fs::remove_all(cut);
}

// SIGTERM to a sweep: passed on to its two running runs, which save and stop; the sweep exits
// with 128 + SIGTERM naming them, --status says resume, and the same command again resumes
// them to the bits of a sweep never stopped.
TEST(Sweep, AStoppedSweepPassesTheSignalOnAndTheSameCommandResumes) {
  const std::string whole = fresh_dir("stop_whole"), cut = fresh_dir("stop_cut");
  const std::string grid =
      " --jobs 2 --threads 2 --task copy --pe none,rope --seed 3 --d-model 32 --n-heads 2 "
      "--n-layers 1 --train-len-min 20 --train-len-max 30 --batch-size 128 --steps 60 "
      "--eval-every 10 --eval-lens 5,20 --eval-examples 32 --probe-examples 0";
  const std::vector<std::string> names = {"task-copy_pe-none_seed-3", "task-copy_pe-rope_seed-3"};
  ASSERT_EQ(pelab("sweep --out '" + whole + "'" + grid).code, 0);

  const std::string err = test::temp_path("stop_sweep_err.txt");
  const pid_t pid = test::spawn("sweep --out " + cut + grid, err);
  ASSERT_GT(pid, 0);
  int status = 0;
  for (const std::string& name : names)
    ASSERT_TRUE(test::wait_for_saves(pid, cut + "/" + name + ".h5", 1, status))
        << "the sweep ended early: " << test::read_file(err);
  kill(pid, SIGTERM);
  waitpid(pid, &status, 0);
  const std::string said = test::read_file(err);
  ASSERT_TRUE(WIFEXITED(status)) << said;
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGTERM) << said;
  EXPECT_TRUE(Contains(said, "passed on to the 2 running runs")) << said;
  EXPECT_TRUE(Contains(said, "stopped by SIGTERM: 2 runs interrupted")) << said;
  for (const std::string& name : names) {
    EXPECT_TRUE(Contains(said, "interrupted: " + name)) << said;
    EXPECT_EQ(status_of(cut + "/" + name + ".h5"), "interrupted");
    EXPECT_TRUE(Contains(test::read_file(cut + "/logs/" + name + ".log"),
                         "pelab train: stopped by SIGTERM at step "));
  }
  const test::Result listed = pelab("sweep --status --out " + cut + grid);
  EXPECT_TRUE(Contains(listed.out, "resume " + names[0] + "\nresume " + names[1])) << listed.out;

  const test::Result resumed = pelab("sweep --out " + cut + grid);
  ASSERT_EQ(resumed.code, 0) << resumed.err;
  EXPECT_TRUE(Contains(resumed.err, "(0 finished before, 2 to resume)")) << resumed.err;
  for (const std::string& name : names) {
    const H5File a = H5File::open_read(whole + "/" + name + ".h5"),
                 b = H5File::open_read(cut + "/" + name + ".h5");
    EXPECT_EQ(b.get_attr_string("/", "status"), "completed");
    for (const char* data : {"/train/loss", "/eval/exact_match", "/checkpoint/adam_m"})
      EXPECT_TRUE(test::SameBits(a, b, data)) << name;
  }
  std::remove(err.c_str());
  fs::remove_all(whole);
  fs::remove_all(cut);
}

// experiments/presets/kazemnejad.sh with a stand-in for pelab that writes down each call: both
// presets seed by seed with the caller's options, then the scalings, then the report; a failing
// sweep does not stop the rest, and the script exits 1.
TEST(Sweep, TheReproductionScriptRunsThePresetsSeedBySeed) {
  const std::string dir = fresh_dir("sweep_repro");
  fs::create_directories(dir + "/runs");
  { std::ofstream(dir + "/runs/task-copy_pe-rope_seed-0.h5") << "a rope run"; }
  const std::string fake = dir + "/pelab", calls = dir + "/calls";
  {
    std::ofstream f(fake);
    f << "#!/bin/sh\necho \"$*\" >> '" << calls << "'\n"
      << "case \"$*\" in *random*--seed\\ 1*) exit 1;; esac\n"
      // The scaling preset's listing: the copy run's three fixed scalings.
      << "case \"$*\" in *--list*) for s in pi ntk yarn; do echo \"pelab train --task copy "
         "--pe rope --rope-scaling $s --rope-scaling-factor 3 --seed 0 --out "
      << dir << "/runs/task-copy_pe-rope_rope-scaling-${s}_seed-0.h5\"; done;; esac\n";
  }
  fs::permissions(fake, fs::perms::owner_all);
  const std::string presets =
      fs::canonical(std::string(PELAB_FIXTURES) + "/../../experiments/presets").string();
  const test::Result r = test::run_shell("PELAB='" + fake + "' bash '" + presets +
                                         "/kazemnejad.sh' '" + dir + "/runs' --jobs 2");
  EXPECT_EQ(r.code, 1) << r.err;
  std::ifstream in(calls);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 6u + 1u + 3u + 1u);
  for (int seed = 0; seed < 3; ++seed)
    for (int k = 0; k < 2; ++k) {
      const std::string& line = lines[2 * seed + k];
      EXPECT_TRUE(Contains(line, std::string("sweep --config ") + presets +
                                     (k == 0 ? "/kazemnejad.ini" : "/kazemnejad-random.ini")))
          << line;
      EXPECT_TRUE(
          Contains(line, "--out " + dir + "/runs --seed " + std::to_string(seed) + " --jobs 2"))
          << line;
    }
  EXPECT_TRUE(Contains(lines[6], "kazemnejad-scaling.ini --out " + dir + "/runs --seed 0 --list"))
      << lines[6];
  const std::string methods[] = {"pi", "ntk", "yarn"};
  for (int k = 0; k < 3; ++k)
    EXPECT_EQ(lines[7 + k], "eval " + dir + "/runs/task-copy_pe-rope_seed-0.h5 --out " + dir +
                                "/runs/task-copy_pe-rope_rope-scaling-" + methods[k] +
                                "_seed-0.h5 --rope-scaling " + methods[k] +
                                " --rope-scaling-factor 3 --quiet");
  EXPECT_EQ(lines[10], "report " + dir + "/runs --plots");
  fs::remove_all(dir);
}

TEST(Sweep, ListPrintsOneCommandPerRunOfItsShard) {
  const test::Result all =
      pelab("sweep --out d --task copy --pe none,rope,alibi --seed 0,1 --list");
  ASSERT_EQ(all.code, 0) << all.err;
  EXPECT_EQ(std::count(all.out.begin(), all.out.end(), '\n'), 6);
  EXPECT_TRUE(Contains(
      all.out, " train --task copy --pe alibi --seed 1 --out d/task-copy_pe-alibi_seed-1.h5"));
  std::string joined;
  for (int i = 0; i < 4; ++i) {
    const test::Result part = pelab(
        "sweep --out d --task copy --pe none,rope,alibi --seed 0,1 "
        "--list --shard " +
        std::to_string(i) + "/4");
    ASSERT_EQ(part.code, 0) << part.err;
    joined += part.out;
  }
  EXPECT_EQ(std::count(joined.begin(), joined.end(), '\n'), 6);
  for (const char* n :
       {"none_seed-0", "none_seed-1", "rope_seed-0", "rope_seed-1", "alibi_seed-0", "alibi_seed-1"})
    EXPECT_TRUE(Contains(joined, n));
}

TEST(Sweep, ConfigSectionsReachTheirRunsAndFlagsStillWin) {
  const std::string path = test::temp_path("sections_sweep.ini");
  {
    std::ofstream f(path);
    f << "task = copy\npe = rope, sinusoidal\n[pe = sinusoidal]\nlr = 3e-3\n";
  }
  const test::Result r = pelab("sweep --out d --config '" + path + "' --list");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "train --task copy --pe sinusoidal --lr 3e-3 --out")) << r.out;
  EXPECT_TRUE(Contains(r.out, "train --task copy --pe rope --out")) << r.out;
  const test::Result flag = pelab("sweep --out d --config '" + path + "' --lr 5e-4 --list");
  ASSERT_EQ(flag.code, 0) << flag.err;
  EXPECT_FALSE(Contains(flag.out, "3e-3")) << flag.out;
  EXPECT_EQ(std::count(flag.out.begin(), flag.out.end(), '\n'), 2);
  {
    std::ofstream f(path);
    f << "task = copy\npe = rope\n[pe = rope]\nthreads = 4\n";
  }
  const test::Result bad = pelab("sweep --out d --config '" + path + "' --list");
  EXPECT_EQ(bad.code, 2);
  EXPECT_TRUE(Contains(bad.err, "threads cannot be set for some runs only")) << bad.err;
  std::remove(path.c_str());
}

// A flag that narrows one of the file's lists gives runs the names the file alone gives them,
// so a sweep run in parts (--task copy, then --task reverse) fills the same directory as the
// whole one, and started again skips what the parts finished.
TEST(Sweep, AFlagOverridingTheFilesListKeepsTheRunNames) {
  const std::string path = test::temp_path("names_sweep.ini");
  {
    std::ofstream f(path);
    f << "task = copy, reverse\npe = none, rope\nseed = 0, 1\n";
  }
  const test::Result whole = pelab("sweep --out d --config '" + path + "' --list");
  const test::Result part = pelab("sweep --out d --config '" + path + "' --task reverse --list");
  const test::Result seed =
      pelab("sweep --out d --config '" + path + "' --seed 1 --lr 1e-3 --list");
  ASSERT_EQ(whole.code, 0) << whole.err;
  ASSERT_EQ(part.code, 0) << part.err;
  ASSERT_EQ(seed.code, 0) << seed.err;
  EXPECT_TRUE(Contains(whole.out, "d/task-reverse_pe-rope_seed-1.h5")) << whole.out;
  EXPECT_TRUE(Contains(part.out, "d/task-reverse_pe-rope_seed-1.h5")) << part.out;
  EXPECT_TRUE(Contains(seed.out, "d/task-reverse_pe-rope_seed-1.h5")) << seed.out;
  EXPECT_EQ(std::count(part.out.begin(), part.out.end(), '\n'), 4);
  std::remove(path.c_str());
}

// experiments/presets/addition.sh with a stand-in for pelab that writes down each call: both
// presets seed by seed with the caller's options, then the report; a failing sweep does not
// stop the rest, and the script then exits 1.
TEST(Sweep, TheAdditionScriptRunsThePresetsSeedBySeed) {
  const std::string dir = fresh_dir("sweep_addition");
  fs::create_directories(dir);
  const std::string fake = dir + "/pelab", calls = dir + "/calls";
  {
    std::ofstream f(fake);
    f << "#!/bin/sh\necho \"$*\" >> '" << calls << "'\n"
      << "case \"$*\" in *hints*--seed\\ 1*) exit 1;; esac\n";
  }
  fs::permissions(fake, fs::perms::owner_all);
  const std::string presets =
      fs::canonical(std::string(PELAB_FIXTURES) + "/../../experiments/presets").string();
  const test::Result r = test::run_shell("PELAB='" + fake + "' bash '" + presets +
                                         "/addition.sh' '" + dir + "/runs' --jobs 2");
  EXPECT_EQ(r.code, 1) << r.err;
  std::ifstream in(calls);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 6u + 1u);
  for (int seed = 0; seed < 3; ++seed)
    for (int k = 0; k < 2; ++k)
      EXPECT_EQ(lines[2 * seed + k],
                "sweep --config " + presets + (k == 0 ? "/addition.ini" : "/addition-hints.ini") +
                    " --out " + dir + "/runs --seed " + std::to_string(seed) + " --jobs 2");
  EXPECT_EQ(lines[6], "report " + dir + "/runs --plots");
  fs::remove_all(dir);
}

// The presets under experiments/presets/ are valid sweeps of the documented sizes
// (docs/experiments.md), every run checked as `pelab train` checks it.
TEST(Sweep, EveryPresetExpands) {
  const std::string presets = std::string(PELAB_FIXTURES) + "/../../experiments/presets/";
  const std::map<std::string, int> runs = {{"quick.ini", 12},
                                           {"tutorial.ini", 12},
                                           {"kazemnejad.ini", 126},
                                           {"kazemnejad-random.ini", 18},
                                           {"kazemnejad-scaling.ini", 108},
                                           {"addition.ini", 54},
                                           {"addition-hints.ini", 12},
                                           {"combine.ini", 8},
                                           {"axial.ini", 6}};
  for (const auto& [file, count] : runs) {
    const test::Result r = pelab("sweep --out d --list --config '" + presets + file + "'");
    ASSERT_EQ(r.code, 0) << file << "\n" << r.err;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), count) << file;
  }
  int files = 0;
  for (const auto& entry : fs::directory_iterator(presets))
    files += entry.path().extension() == ".ini";
  EXPECT_EQ(files, static_cast<int>(runs.size())) << "a preset without a test";
}

TEST(Sweep, BadInputIsOneClearErrorBeforeAnyRunStarts) {
  const std::string dir = fresh_dir("sweep_bad");
  struct Case {
    const char* args;
    const char* message;
  } cases[] = {
      {"--task copy,bogus", "run pe-rope_task-bogus: --task: unknown task 'bogus'"},
      {"--frobnicate 2", "unknown option --frobnicate"},
      {"--force", "--force is set by the sweep"},
      {"--shard 4/4", "--shard wants I/N with 0 <= I < N"},
      {"--jobs 0", "--jobs must be at least 1"},
      {"--config /nonexistent/x.ini", "--config: cannot read '/nonexistent/x.ini'"},
  };
  for (const Case& c : cases) {
    const test::Result r = pelab(std::string("sweep --out '") + dir + "' --pe rope " + c.args);
    EXPECT_EQ(r.code, 2) << c.args;
    EXPECT_TRUE(Contains(r.err, c.message)) << c.args;
    EXPECT_FALSE(fs::exists(dir)) << c.args;
  }
  const std::string ini = test::temp_path("bad_jobs.ini");
  { std::ofstream(ini) << "jobs = two\n"; }
  const test::Result bad_jobs = pelab("sweep --out '" + dir + "' --config '" + ini + "'");
  EXPECT_EQ(bad_jobs.code, 2);
  EXPECT_TRUE(Contains(bad_jobs.err, "jobs must be a whole number >= 1, got 'two'"));
  std::remove(ini.c_str());

  const test::Result no_out = pelab("sweep --pe rope");
  EXPECT_EQ(no_out.code, 2);
  EXPECT_TRUE(Contains(no_out.err, "--out"));
}

}  // namespace
}  // namespace pelab
