#!/usr/bin/env bash
# Tests experiments/slurm/sweep.sbatch on a real Slurm cluster of one node, started here for the
# test and stopped after it:
#
#   experiments/slurm/check.sh
#
# 1. sweep: a 4-run sweep as a 2-task job array (each task one shard, --jobs 1). Every run must
#    be finished, and trained exactly once: its log (OUT/logs/NAME.log, where every `pelab
#    train` process on the run writes one header line `pelab VERSION, threads ...`) holds one
#    header, no `resuming` line and one `completed:` line. Two tasks training one run, or a
#    task training a run of the other's shard, would show as a second header.
# 2. preemption: a 2-run sweep as a 2-task array, each run some 25 s. Once both runs have
#    saved an evaluation, task 0 gets `scancel --batch --signal=USR1` (what --signal=B:USR1@120
#    does before a time limit: only the batch shell, which is pelab sweep thanks to the
#    script's exec, is told, and must pass it on to its run) and task 1 gets
#    `scancel --full --signal=TERM` (every process of the task, as at a time limit or a
#    preemption). Both tasks must end with their run left to resume (`pelab sweep --status`
#    says `resume`; the file's status is `interrupted`, or `running` as of its last evaluation
#    when a pelab that does not catch signals was killed). Submitting the same array again must
#    finish both, each log saying `resuming FILE at step N` with N > 0.
#
# The cluster: munged, slurmctld and slurmd as children of this script, on free ports of
# localhost, with their configuration, key, sockets, state, spool, logs and pid files in one
# `mktemp -d` directory; the client commands find it through SLURM_CONF. Nothing of the
# machine's own Slurm or MUNGE setup is read or changed. On any exit the jobs are cancelled,
# exactly the daemons started here are stopped (by their pids) and the directory is removed.
#
# Runs as root (slurmd starts the jobs). Needs Debian's slurm-wlm and munge: installed when
# missing (apt-get); not root, it prints the command to install them and exits 1. Takes about
# a minute on 2 cores once they are installed. The pelab used is $PELAB_BINARY, else
# build/pelab of this repository; it is passed on to the jobs only when set (otherwise
# sweep.sbatch finds the same build/pelab itself). Prints `slurm check: N passed, M failed`
# last and exits 0 only when every test passed.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
readonly HERE REPO
readonly SBATCH_FILE="$HERE/sweep.sbatch"
PELAB="${PELAB_BINARY:-$REPO/build/pelab}"
readonly PELAB
readonly PACKAGES=(slurm-wlm munge)
readonly COMMANDS=(munged munge slurmctld slurmd sbatch squeue scancel scontrol sinfo)

started_at=$SECONDS
passed=0
failed=0
tmp=""                 # the directory of everything this script writes
munged_pid=""          # the daemons this script started, each its child
slurmctld_pid=""
slurmd_pid=""
node=""

say() { printf 'slurm check: %s\n' "$*"; }
die() {
  say "$*" >&2
  exit 1
}

# ---------------------------------------------------------------------------------------------
# Packages

install_packages() {
  local c missing=()
  for c in "${COMMANDS[@]}"; do
    command -v "$c" >/dev/null || PATH="$PATH:/usr/sbin:/sbin" command -v "$c" >/dev/null ||
      missing+=("$c")
  done
  ((${#missing[@]} == 0)) && return
  if [[ "$(id -u)" -ne 0 ]]; then
    die "missing ${missing[*]} (Debian packages ${PACKAGES[*]}).
Install them as root, then run this again:
  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${PACKAGES[*]}"
  fi
  say "installing ${PACKAGES[*]}"
  # No service may start from the packages' scripts: the test runs daemons of its own. A
  # policy-rc.d that denies (exit 101) is Debian's way to say so; added only if there is none.
  local policy=/usr/sbin/policy-rc.d added_policy=0 log status=0
  if [[ ! -e "$policy" ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    added_policy=1
  fi
  log="$(mktemp)"
  { DEBIAN_FRONTEND=noninteractive apt-get update -q &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      "${PACKAGES[@]}"; } >"$log" 2>&1 </dev/null || status=$?
  ((added_policy)) && rm -f "$policy"
  if ((status != 0)); then
    tail -n 30 "$log" >&2
    rm -f "$log"
    die "apt-get failed (last lines above)"
  fi
  rm -f "$log"
}

# ---------------------------------------------------------------------------------------------
# The cluster

# Whether something listens on localhost's TCP port $1.
port_in_use() {
  timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# Two free consecutive ports, "P P+1", from a random start (the default 6817/6818 may belong to
# the machine's own Slurm, or to another run of this check).
free_ports() {
  local p tries
  for ((tries = 0; tries < 50; tries++)); do
    p=$((20000 + RANDOM % 20000))
    if ! port_in_use "$p" && ! port_in_use "$((p + 1))"; then
      echo "$p $((p + 1))"
      return
    fi
  done
  die "found no free port on localhost"
}

# slurm.conf for one node, this machine, with nothing outside $tmp: no cgroups, no accounting.
write_config() {
  local ports ctld_port slurmd_port hardware
  ports="$(free_ports)"
  read -r ctld_port slurmd_port <<<"$ports"
  # The node's CPUs, sockets, cores and memory as slurmd itself sees them, so that it
  # registers without a mismatch (a node with less than its configured memory is drained).
  hardware="$(slurmd -C | head -n 1 | tr ' ' '\n' |
              grep -E '^(CPUs|Boards|SocketsPerBoard|CoresPerSocket|ThreadsPerCore|RealMemory)=' |
              tr '\n' ' ')"
  [[ "$hardware" == *CPUs=* ]] || die "slurmd -C did not describe this machine"
  mkdir -p "$tmp/state" "$tmp/spool" "$tmp/jobs"
  : >"$tmp/plugstack.conf"
  cat >"$tmp/slurm.conf" <<EOF
# A one-node cluster for experiments/slurm/check.sh; everything lives in $tmp.
ClusterName=pelabcheck
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$tmp/munge.socket
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
PlugStackConfig=$tmp/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
SwitchType=switch/none
ReturnToService=2
KillWait=5
NodeName=$node NodeHostname=$node NodeAddr=127.0.0.1 $hardware State=UNKNOWN
PartitionName=check Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
  export SLURM_CONF="$tmp/slurm.conf"
}

# waits_for SECONDS WHAT COMMAND...: runs COMMAND every half second until it succeeds; dies
# saying WHAT did not happen when SECONDS have passed.
wait_for() {
  local seconds="$1" what="$2" deadline
  shift 2
  deadline=$((SECONDS + seconds))
  until "$@"; do
    ((SECONDS < deadline)) || die "$what did not happen within ${seconds}s"
    sleep 0.5
  done
}

munge_works() { munge --socket="$tmp/munge.socket" -n </dev/null >/dev/null 2>&1; }
node_idle() { [[ "$(sinfo -h -N -n "$node" -o %T 2>/dev/null)" == idle ]]; }

start_cluster() {
  node="$(hostname -s)"
  write_config
  # The MUNGE key: random bytes, readable by root only (munged refuses anything looser).
  head -c 1024 /dev/urandom >"$tmp/munge.key"
  chmod 600 "$tmp/munge.key"
  # Each daemon in the foreground as this script's child: its pid ($!, the one its pid file
  # holds) is known for sure, and it is reaped here when stopped, where a daemon that forks
  # away may stay a zombie that still answers kill -0 (when pid 1 does not reap).
  # --force: munged would refuse $tmp's parent /tmp, writable by all.
  munged --foreground --force --key-file="$tmp/munge.key" --socket="$tmp/munge.socket" \
    --pid-file="$tmp/munged.pid" --log-file="$tmp/munged.log" --seed-file="$tmp/munged.seed" \
    >>"$tmp/munged.out" 2>&1 &
  munged_pid=$!
  wait_for 20 "munged answering" munge_works
  slurmctld -D -f "$SLURM_CONF" >>"$tmp/slurmctld.out" 2>&1 &
  slurmctld_pid=$!
  slurmd -D -f "$SLURM_CONF" -N "$node" >>"$tmp/slurmd.out" 2>&1 &
  slurmd_pid=$!
  if ! (wait_for 60 "the node's registration" node_idle); then
    tail -n 20 "$tmp/slurmctld.log" "$tmp/slurmd.log" >&2 2>/dev/null || true
    die "the cluster did not start (slurmctld and slurmd logs above)"
  fi
  say "cluster up: node $node idle, slurm $(sinfo -V | awk '{print $2}'), in $tmp"
}

# Whether process $1 runs: exists and is not a zombie (a child that ended answers kill -0
# until it is reaped).
running() {
  local state
  state="$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)"
  [[ -n "$state" && "$state" != Z ]]
}

# stop_daemon NAME PID: SIGTERM, then SIGKILL after 15 s, and reaps it.
stop_daemon() {
  local name="$1" pid="$2" i
  [[ -n "$pid" ]] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 30; i++)); do
    running "$pid" || break
    sleep 0.5
  done
  if running "$pid"; then
    say "$name ($pid) did not stop on SIGTERM; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

# The pids of processes whose command line names $tmp: the pelab runs of the jobs, should one
# outlive its job.
leftover_processes() {
  local d cmd
  for d in /proc/[0-9]*; do
    cmd="$(tr '\0' ' ' 2>/dev/null <"$d/cmdline")" || continue  # gone meanwhile
    [[ "$cmd" == *"$tmp/"* ]] && echo "${d#/proc/}"
  done
  return 0
}

# The last lines of the jobs' outputs and of the daemons' logs, on stderr, before they go.
show_logs() {
  local f
  for f in "$tmp"/jobs/*.out "$tmp"/slurmctld.log "$tmp"/slurmd.log "$tmp"/munged.log; do
    [[ -s "$f" ]] || continue
    echo "  --- ${f#"$tmp"/}" >&2
    tail -n 6 "$f" | sed 's/^/  /' >&2
  done
}

# On every exit: cancel the jobs, stop the three daemons, remove $tmp.
cleanup() {
  local status=$? pids
  set +e  # every step of the cleanup runs, whatever fails
  trap - EXIT INT TERM
  if [[ -n "$slurmctld_pid" ]] && running "$slurmctld_pid"; then
    if ! jobs_gone; then
      scancel --quiet --user="$(id -un)" 2>/dev/null || true
      (wait_for 30 "the jobs' end" jobs_gone) 2>/dev/null || true
    fi
  fi
  stop_daemon slurmd "$slurmd_pid"
  stop_daemon slurmctld "$slurmctld_pid"
  stop_daemon munged "$munged_pid"
  # Stopped part way (the logs of a test that failed were shown already).
  local early=$((status != 0 && passed + failed < 2))
  if ((early)) && [[ -n "$tmp" ]]; then show_logs; fi
  if [[ -n "$tmp" && -d "$tmp" ]]; then
    mapfile -t pids < <(leftover_processes)
    if ((${#pids[@]})); then
      say "stopping leftover processes ${pids[*]}" >&2
      kill -KILL "${pids[@]}" 2>/dev/null || true
    fi
    rm -rf "$tmp"
  fi
  if ((early)); then
    say "FAIL: stopped before the end (exit $status)"
    failed=$((2 - passed))
  fi
  say "took $((SECONDS - started_at))s"
  say "$passed passed, $failed failed"
  exit "$status"
}

# ---------------------------------------------------------------------------------------------
# Jobs

jobs_gone() { [[ -z "$(squeue -h -o %i 2>/dev/null)" ]]; }

# Whether array job $1 has no task left pending, running or completing (or is forgotten
# already). Any other failure of squeue (the controller busy) counts as not yet.
job_gone() {
  local out
  if out="$(squeue -h -j "$1" -t PENDING,CONFIGURING,RUNNING,SUSPENDED,COMPLETING -o %i 2>&1)"
  then
    [[ -z "$out" ]]
  else
    [[ "$out" == *"Invalid job id"* ]]
  fi
}

# submit NAME ARGS...: submits sweep.sbatch as a 2-task array with ARGS for pelab sweep; prints
# the job id. Each task gets one CPU and writes its output to $tmp/jobs/NAME-JOB_TASK.out.
submit() {
  local name="$1"
  shift
  sbatch --parsable --array=0-1 --cpus-per-task=1 --time=10 --job-name="pelab-$name" \
    --chdir="$tmp" --output="$tmp/jobs/$name-%A_%a.out" "$SBATCH_FILE" "$@" </dev/null |
    cut -d';' -f1
}

# The field $2 (JobState, ExitCode, ...) of array task $1 (JOB_TASK), as scontrol shows it.
task_field() {
  scontrol show job "$1" 2>/dev/null | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1
}

# The run file status, when h5dump (hdf5-tools) or python3 with h5py can read it; else "?".
file_status() {
  local s=""
  if command -v h5dump >/dev/null; then
    s="$(h5dump -a /status "$1" 2>/dev/null | sed -n 's/.*(0): "\(.*\)".*/\1/p' | head -n 1)"
  elif /usr/bin/python3 -c 'import h5py' 2>/dev/null; then
    s="$(/usr/bin/python3 -c '
import sys, h5py
v = h5py.File(sys.argv[1], "r").attrs["status"]
print(v.decode() if isinstance(v, bytes) else v)' "$1" 2>/dev/null || true)"
  fi
  echo "${s:-?}"
}

# check WHAT COMMAND...: one assertion of the current test: prints ok/not ok, and marks the test
# failed when COMMAND fails.
test_ok=1
check() {
  local what="$1"
  shift
  if "$@"; then
    printf '  ok      %s\n' "$what"
  else
    printf '  not ok  %s\n' "$what"
    test_ok=0
  fi
}

begin_test() {
  test_ok=1
  say "test: $1"
}

end_test() {
  if ((test_ok)); then
    passed=$((passed + 1))
    say "PASS $1"
  else
    failed=$((failed + 1))
    say "FAIL $1"
    show_logs
  fi
}

# Assertions on a sweep's directory.
status_line_is() { # DIR EXPECTED SWEEP-ARGS...: the counts line of pelab sweep --status
  local dir="$1" want="$2"
  shift 2
  [[ "$("$PELAB" sweep --out "$dir" "$@" --status | tail -n 1)" == "$want" ]]
}
run_state_is() { # DIR NAME STATE SWEEP-ARGS...
  local dir="$1" name="$2" state="$3"
  shift 3
  "$PELAB" sweep --out "$dir" "$@" --status | grep -qx "$state $name"
}
run_names() { # DIR SWEEP-ARGS...: the sweep's run names, one a line (from --status)
  local dir="$1"
  shift
  "$PELAB" sweep --out "$dir" "$@" --status | awk 'NF == 2 {print $2}'
}
report_reads_all() { # DIR N: every run file read and finished
  "$PELAB" report "$1" | grep -qx "$2 run files: $2 read, 0 skipped (unreadable)"
}
count_lines() { # FILE REGEX: how many lines match (0 without the file)
  grep -cE "$2" "$1" 2>/dev/null || true
}
trained_once() { # LOG
  [[ "$(count_lines "$1" '^pelab [0-9]')" == 1 && "$(count_lines "$1" '^resuming ')" == 0 &&
     "$(count_lines "$1" '^completed:')" == 1 ]]
}
resumed_once_past_zero() { # LOG: two processes, one `resuming FILE at step N` with N > 0
  local step
  step="$(sed -n 's/^resuming .* at step \([0-9]*\)$/\1/p' "$1")"
  [[ "$(count_lines "$1" '^pelab [0-9]')" == 2 && "$step" =~ ^[0-9]+$ && "$step" -gt 0 &&
     "$(count_lines "$1" '^completed:')" == 1 ]]
}
task_ended_ok() { # JOB_TASK
  [[ "$(task_field "$1" JobState)" == COMPLETED && "$(task_field "$1" ExitCode)" == 0:0 ]]
}
output_has() { # FILE TEXT
  grep -qF "$2" "$1"
}
evaluated_twice() { # LOG: two evaluations printed, so at least one save after step 0 is done
  [[ -f "$1" && "$(count_lines "$1" '^step ')" -ge 2 ]]
}
both_evaluated_twice() { evaluated_twice "$1" && evaluated_twice "$2"; }

# ---------------------------------------------------------------------------------------------
# Tests

readonly SMALL=(--task copy --pe none,rope --seed 0,1 --d-model 16 --n-heads 2 --n-layers 1
                --d-ff 32 --steps 300 --eval-every 100 --train-len-max 8 --eval-lens 4,8
                --eval-examples 32 --batch-size 32 --probe-examples 0 --jobs 1)
# Some 25 s per run on one core, evaluating (and saving) every 2-3 s.
readonly LONGER=(--task copy --pe rope --seed 0,1 --d-model 32 --n-heads 2 --n-layers 2
                 --steps 2000 --eval-every 200 --train-len-max 20 --eval-lens 5,20
                 --eval-examples 16 --batch-size 64 --probe-examples 0 --jobs 1)

test_sweep() {
  local out="$tmp/runs/sweep" job name task
  begin_test "sweep: 4 runs in a 2-task array"
  job="$(submit sweep --out "$out" "${SMALL[@]}")"
  say "submitted array job $job"
  wait_for 120 "the end of job $job" job_gone "$job"
  for task in 0 1; do
    check "array task $task completed with exit code 0" task_ended_ok "${job}_$task"
    check "array task $task ran shard $task/2" \
      output_has "$tmp/jobs/sweep-${job}_$task.out" "sweep ... --shard $task/2"
  done
  check "pelab sweep --status: all 4 finished" status_line_is "$out" \
    "4 runs: 4 finished, 0 to train, 0 to resume, 0 training now, 0 with other settings" \
    "${SMALL[@]}"
  check "pelab report: 4 run files, all read and finished" report_reads_all "$out" 4
  for name in $(run_names "$out" "${SMALL[@]}"); do
    check "$name trained once (one start, no resume, completed)" \
      trained_once "$out/logs/$name.log"
  done
  end_test "sweep"
}

test_preemption() {
  local out="$tmp/runs/preempt" job job2 name name0 name1 task
  begin_test "preemption: signalled array tasks, resumed by the same array"
  # The run of each shard (a 2-run sweep in 2 shards: one run each).
  name0="$(run_names "$out" "${LONGER[@]}" --shard 0/2)"
  name1="$(run_names "$out" "${LONGER[@]}" --shard 1/2)"
  job="$(submit preempt --out "$out" "${LONGER[@]}")"
  say "submitted array job $job; waiting for both runs to save an evaluation"
  wait_for 120 "two evaluations of $name0 and $name1" \
    both_evaluated_twice "$out/logs/$name0.log" "$out/logs/$name1.log"
  # Slurm 22.05 sends a signal other than KILL to a job's batch step only with --batch or
  # --full: `scancel --signal=TERM JOB` alone reaches nothing in a job without steps (tried).
  # --batch: the batch step's shell alone, here pelab sweep (its children are not signalled).
  scancel --batch --signal=USR1 "${job}_0"
  # --full: the batch step's shell and all its children, as Slurm does at a time limit.
  scancel --full --signal=TERM "${job}_1"
  wait_for 60 "the end of job $job after the signals" job_gone "$job"
  for task in 0 1; do
    say "array task $task: $(task_field "${job}_$task" JobState)," \
        "exit code $(task_field "${job}_$task" ExitCode)"
  done
  check "$name0 (USR1 to pelab sweep) is left to resume" run_state_is "$out" "$name0" resume \
    "${LONGER[@]}"
  check "$name1 (TERM to every process) is left to resume" run_state_is "$out" "$name1" \
    resume "${LONGER[@]}"
  say "file status: $name0 $(file_status "$out/$name0.h5"), $name1 $(file_status "$out/$name1.h5")"
  say "$name0: $(grep -m1 -E 'stopped by|killed' "$out/logs/$name0.log" || echo 'no stop line')"
  say "$name1: $(grep -m1 -E 'stopped by|killed' "$out/logs/$name1.log" || echo 'no stop line')"

  job2="$(submit preempt --out "$out" "${LONGER[@]}")"
  say "submitted the same array again: job $job2"
  wait_for 120 "the end of job $job2" job_gone "$job2"
  for task in 0 1; do
    check "array task $task of the second job completed with exit code 0" \
      task_ended_ok "${job2}_$task"
  done
  check "pelab sweep --status: both finished" status_line_is "$out" \
    "2 runs: 2 finished, 0 to train, 0 to resume, 0 training now, 0 with other settings" \
    "${LONGER[@]}"
  check "pelab report: 2 run files, all read and finished" report_reads_all "$out" 2
  for name in "$name0" "$name1"; do
    check "$name resumed once, at a step > 0 ($(grep -m1 '^resuming' "$out/logs/$name.log" ||
      echo 'no resuming line'))" resumed_once_past_zero "$out/logs/$name.log"
  done
  end_test "preemption"
}

main() {
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  install_packages
  # slurmd starts the jobs as their users, which takes root (as does SlurmUser=root here).
  [[ "$(id -u)" -eq 0 ]] || die "needs root: it starts slurmctld and slurmd"
  PATH="$PATH:/usr/sbin:/sbin"
  [[ -x "$PELAB" ]] || die "no pelab program at $PELAB (build it: ./setup.sh build)"
  if [[ -n "${PELAB_BINARY:-}" ]]; then export PELAB_BINARY; fi
  tmp="$(mktemp -d "${TMPDIR:-/tmp}/pelab-slurm-check.XXXXXX")"
  started_at=$SECONDS
  start_cluster
  test_sweep
  test_preemption
  ((failed == 0))
}

main "$@"
