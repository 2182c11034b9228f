#!/usr/bin/env bash
# experiments/slurm/check.sh: experiments/slurm/sweep.sbatch on a real Slurm cluster of one node,
# this machine, started for the check and stopped after it.
#
#   experiments/slurm/check.sh        (as root; CI runs it after ./setup.sh test)
#
# 1. Installs Debian's slurm-wlm and munge if missing (as root; otherwise prints the apt-get
#    command and stops).
# 2. Starts munged, slurmctld and slurmd with a configuration, keys, sockets, spool, state and
#    logs in one temporary directory (ports 16817-16818, so an installed cluster is untouched).
# 3. A sweep of 4 runs as a job array of 2 tasks: every run finishes, exactly once.
# 4. Preemption: `scancel --signal=TERM --batch` to one task of a second array while its run
#    trains; the run is saved as interrupted, and submitting the array again finishes it from
#    that save while the other task's finished run is left alone.
# 5. Stops the daemons it started and removes everything it wrote, also on failure.
#
# The program is build/pelab of this repository, or $PELAB_BINARY. Ends with
# "slurm check: N passed, M failed"; exit 0 only when all passed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PELAB="${PELAB_BINARY:-$ROOT/build/pelab}"
SBATCH_FILE="$ROOT/experiments/slurm/sweep.sbatch"
readonly ROOT PELAB SBATCH_FILE
WORK=""
passed=0
failed=0
started="$(date +%s)"

say() { printf 'slurm check: %s\n' "$*"; }
die() {
  printf 'slurm check: %s\n' "$*" >&2
  exit 1
}
pass() {
  passed=$((passed + 1))
  say "PASS $*"
}
fail() {
  failed=$((failed + 1))
  say "FAIL $*"
}

install_packages() {
  local missing=() p
  for p in slurm-wlm munge; do
    dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return
  if [[ "$(id -u)" -ne 0 ]]; then
    die "missing ${missing[*]}; install them as root:
  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}"
  fi
  say "installing ${missing[*]}"
  { DEBIAN_FRONTEND=noninteractive apt-get update -q &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"; } \
    >"$(mktemp /tmp/pelab-slurm-apt.XXXXXX)" 2>&1 || die "apt-get failed"
}

# Stops what this script started (by the pid files it gave each daemon) and removes its files.
cleanup() {
  local status=$? name pid
  if [[ -n "$WORK" && -d "$WORK" ]]; then
    if [[ -n "${SLURM_CONF:-}" ]]; then scancel --quiet --user root 2>/dev/null || true; fi
    for name in slurmd slurmctld munged; do
      [[ -f "$WORK/$name.pid" ]] || continue
      pid="$(cat "$WORK/$name.pid")"
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    done
    if ((status != 0 || failed > 0)); then
      say "logs of the failed check:"
      tail -n 20 "$WORK"/*.log "$WORK"/out/*.out 2>/dev/null | sed 's/^/    /' || true
    fi
    rm -rf "$WORK"
  fi
  exit "$status"
}

# Waits up to $2 seconds for the command $1 to succeed.
wait_for() {
  local condition="$1" seconds="$2"
  for _ in $(seq $((seconds * 5))); do
    eval "$condition" && return 0
    sleep 0.2
  done
  return 1
}

start_cluster() {
  local host
  host="$(hostname -s)"
  mkdir -p "$WORK/state" "$WORK/spool" "$WORK/out"
  # munge: a fresh key and a socket of its own; slurm finds the socket through AuthInfo.
  dd if=/dev/urandom of="$WORK/munge.key" bs=1024 count=1 status=none
  chmod 400 "$WORK/munge.key"
  munged --force --key-file="$WORK/munge.key" --socket="$WORK/munge.socket" \
    --pid-file="$WORK/munged.pid" --log-file="$WORK/munged.log" --seed-file="$WORK/munge.seed"
  wait_for "[[ -S '$WORK/munge.socket' ]]" 10 || die "munged did not start ($WORK/munged.log)"
  cat >"$WORK/slurm.conf" <<CONF
ClusterName=pelabcheck
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$WORK/munge.socket
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/slurmctld.pid
SlurmdPidFile=$WORK/slurmd.pid
SlurmctldLogFile=$WORK/slurmctld.log
SlurmdLogFile=$WORK/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
NodeName=$host NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=check Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF="$WORK/slurm.conf"
  slurmctld -f "$SLURM_CONF" -i
  slurmd -f "$SLURM_CONF"
  wait_for "sinfo -h -o %t 2>/dev/null | grep -qx idle" 60 ||
    die "the node did not come up idle ($WORK/slurmctld.log, $WORK/slurmd.log)"
  say "cluster up: slurm $(sinfo -V | awk '{print $2}'), node $host idle"
}

# Submits the array (2 tasks of 1 CPU each) for the sweep arguments; prints the job id.
submit() {
  (cd "$WORK" && PELAB_BINARY="$PELAB" sbatch --parsable --array=0-1 --cpus-per-task=1 \
    --output="$WORK/out/%A_%a.out" "$SBATCH_FILE" "$@")
}

wait_job() {
  wait_for "[[ -z \"\$(squeue -h -j $1 2>/dev/null)\" ]]" "$2" || die "job $1 still queued after $2 s"
}

# How many lines of FILE match PATTERN (0 when none).
count() { grep -c -- "$2" "$1" 2>/dev/null || true; }

# 3. Four runs, two array tasks: all finish, each trained once from the start to the end.
check_array() {
  local out="$WORK/runs" job status name
  local sweep=(--out "$out" --task copy --pe none,rope --seed 0,1 --d-model 16 --n-heads 2
    --n-layers 1 --train-len-max 6 --eval-lens 3,6 --eval-examples 16 --steps 150
    --eval-every 50 --probe-examples 0)
  job="$(submit "${sweep[@]}")"
  wait_job "$job" 180
  status="$("$PELAB" sweep "${sweep[@]}" --status | tail -n 1)"
  if [[ "$status" == "4 runs: 4 finished,"* ]]; then
    pass "array of 2 tasks: $status"
  else
    fail "array of 2 tasks: $status"
  fi
  local once=0
  for name in "$out"/logs/*.log; do
    # One start (no resume) and one completion per run: trained exactly once.
    [[ "$(count "$name" '^completed:')" == 1 && "$(count "$name" '^resuming')" == 0 ]] &&
      once=$((once + 1))
  done
  if [[ "$once" == 4 ]] && "$PELAB" report "$out" | grep -q '^4 run files: 4 read'; then
    pass "each of the 4 runs trained exactly once; pelab report reads 4"
  else
    fail "runs trained exactly once: $once of 4 ($(ls "$out"/logs))"
  fi
}

# 4. A preempted task: its run is saved and resumed by the resubmitted array.
check_preemption() {
  local out="$WORK/preempt" job name
  local sweep=(--out "$out" --task copy --pe rope --seed 0,1 --d-model 32 --n-heads 2
    --n-layers 2 --train-len-max 20 --batch-size 64 --eval-lens 5,20 --eval-examples 16
    --steps 3000 --eval-every 500 --probe-examples 0)
  job="$(submit "${sweep[@]}")"
  name="$("$PELAB" sweep "${sweep[@]}" --list --shard 0/2 | sed 's/.*--out //; s/ .*//')"
  name="$(basename "$name" .h5)"
  # Task 0 trains $name: wait until it holds the run's lock, then a few seconds more.
  wait_for "\"$PELAB\" sweep ${sweep[*]} --status | grep -qx 'training $name'" 60 ||
    die "task 0 did not start training $name"
  sleep 3
  scancel --signal=TERM --batch "${job}_0"
  wait_job "$job" 300
  local states
  states="$("$PELAB" sweep "${sweep[@]}" --status)"
  if grep -qx "resume $name" <<<"$states" &&
    grep -q "pelab train: stopped by SIGTERM at step" "$out/logs/$name.log" &&
    grep -q "stopped by SIGTERM: 1 runs interrupted" "$WORK/out/${job}_0.out"; then
    pass "scancel --signal=TERM --batch: $name saved as interrupted, to resume"
  else
    fail "preempted task: $(tr '\n' ';' <<<"$states")"
  fi
  job="$(submit "${sweep[@]}")"
  wait_job "$job" 300
  states="$("$PELAB" sweep "${sweep[@]}" --status | tail -n 1)"
  if [[ "$states" == "2 runs: 2 finished,"* ]] &&
    grep -q "^resuming .* at step [1-9]" "$out/logs/$name.log" &&
    grep -q "(1 finished before, 0 to resume)" "$WORK/out/${job}_1.out"; then
    pass "the array submitted again resumed $name from its save; the finished run was skipped"
  else
    fail "resubmitted array: $states"
  fi
}

main() {
  [[ -x "$PELAB" ]] || die "no pelab at $PELAB: build it first (./setup.sh build) or set PELAB_BINARY"
  install_packages
  WORK="$(mktemp -d /tmp/pelab-slurm.XXXXXX)"
  trap cleanup EXIT
  start_cluster
  check_array
  check_preemption
  say "took $(($(date +%s) - started)) s"
  printf 'slurm check: %d passed, %d failed\n' "$passed" "$failed"
  ((failed == 0))
}

main "$@"
