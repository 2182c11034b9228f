#!/usr/bin/env bash
# Tests the GNU parallel recipe of docs/experiments.md#many-machines on this machine:
#
#   experiments/parallel/check.sh
#
# `pelab sweep ... --list` prints one `pelab train` command per run; GNU parallel runs them,
# two at a time, here on localhost (over ssh it would be --sshloginfile machines.txt). A 4-run
# sweep of tiny models goes into a temporary directory; then every command must have exited
# 0, `pelab report` must read 4 finished runs and `pelab sweep --status` must call all 4
# finished. The directory is removed on any exit.
#
# Needs Debian's parallel: installed when missing if run as root (apt-get), else the command to
# install it is printed and the script exits 1. Takes a few seconds once installed. The pelab used
# is $PELAB_BINARY, else build/pelab of this repository. Prints `parallel check: N passed, M
# failed` last (one count per check) and exits 0 only when every check passed.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
readonly REPO
PELAB="${PELAB_BINARY:-$REPO/build/pelab}"
readonly PELAB
# The sweep: 2 encodings x 2 seeds of a tiny model, 2 runs at once with 1 thread each.
readonly SWEEP=(--task copy --pe none,rope --seed 0,1 --d-model 16 --n-heads 2 --n-layers 1
                --d-ff 32 --steps 300 --eval-every 100 --train-len-max 8 --eval-lens 4,8
                --eval-examples 32 --batch-size 32 --probe-examples 0 --jobs 2 --threads 2)

started_at=$SECONDS
passed=0
failed=0
tmp=""

say() { printf 'parallel check: %s\n' "$*"; }
die() {
  say "$*" >&2
  exit 1
}

install_parallel() {
  command -v parallel >/dev/null && return
  if [[ "$(id -u)" -ne 0 ]]; then
    die "GNU parallel is missing. Install it as root, then run this again:
  sudo apt-get update && sudo apt-get install -y --no-install-recommends parallel"
  fi
  say "installing parallel"
  local log
  log="$(mktemp)"
  if ! { DEBIAN_FRONTEND=noninteractive apt-get update -q &&
         DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
           parallel; } >"$log" 2>&1 </dev/null; then
    tail -n 30 "$log" >&2
    rm -f "$log"
    die "apt-get failed (last lines above)"
  fi
  rm -f "$log"
}

cleanup() {
  local status=$?
  set +e  # every step of the cleanup runs, whatever fails
  trap - EXIT INT TERM
  [[ -n "$tmp" ]] && rm -rf "$tmp"
  if ((status != 0 && passed + failed == 0)); then
    say "FAIL: stopped before the checks (exit $status)"
    failed=1
  fi
  say "took $((SECONDS - started_at))s"
  say "$passed passed, $failed failed"
  exit "$status"
}

# check WHAT COMMAND...: one check; prints ok / not ok and counts it.
check() {
  local what="$1"
  shift
  if "$@"; then
    printf '  ok      %s\n' "$what"
    passed=$((passed + 1))
  else
    printf '  not ok  %s\n' "$what"
    failed=$((failed + 1))
  fi
}

line_count_is() { [[ "$(wc -l <"$1")" -eq "$2" ]]; }
report_reads_all() { # DIR N: every run file read, and finished (none listed as not finished)
  "$PELAB" report "$1" | grep -qx "$2 run files: $2 read, 0 skipped (unreadable)"
}
status_line_is() { # DIR EXPECTED: the counts line of pelab sweep --status
  [[ "$("$PELAB" sweep --out "$1" "${SWEEP[@]}" --status | tail -n 1)" == "$2" ]]
}

main() {
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  install_parallel
  [[ -x "$PELAB" ]] || die "no pelab program at $PELAB (build it: ./setup.sh build)"
  tmp="$(mktemp -d "${TMPDIR:-/tmp}/pelab-parallel-check.XXXXXX")"
  started_at=$SECONDS
  # parallel keeps its own files under PARALLEL_HOME (default ~/.parallel): here, $tmp.
  export PARALLEL_HOME="$tmp/parallel-home"
  local out="$tmp/runs" parallel_status=0
  "$PELAB" sweep --out "$out" "${SWEEP[@]}" --list >"$tmp/commands"
  # A listed `pelab train` writes its file into --out but does not create it (pelab sweep
  # does, when it runs the commands itself): on every machine, the directory comes first.
  mkdir -p "$out"
  check "pelab sweep --list: 4 commands" line_count_is "$tmp/commands" 4
  say "running them with: parallel --jobs 2"
  parallel --will-cite --jobs 2 --halt never <"$tmp/commands" >"$tmp/parallel.log" 2>&1 ||
    parallel_status=$?
  check "parallel: every command exited 0" test "$parallel_status" -eq 0
  check "pelab report: 4 run files, all read and finished" report_reads_all "$out" 4
  check "pelab sweep --status: all 4 finished" status_line_is "$out" \
    "4 runs: 4 finished, 0 to train, 0 to resume, 0 training now, 0 with other settings"
  if ((failed)); then
    tail -n 20 "$tmp/parallel.log" >&2
  fi
  ((failed == 0))
}

main "$@"
