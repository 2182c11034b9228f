#!/usr/bin/env bash
# experiments/parallel/check.sh: a sweep run by GNU parallel from `pelab sweep --list`, as
# docs/experiments.md#many-machines shows it (there over ssh, here on this machine):
#
#   pelab sweep ... --list | parallel -j 2
#
# Installs Debian's `parallel` if missing (as root; otherwise prints the apt-get command and
# stops), runs a sweep of 4 tiny runs two at a time into a temporary directory, checks with
# `pelab report` that all 4 completed, and removes what it wrote. The program is build/pelab of
# this repository, or $PELAB_BINARY. Ends with "parallel check: N passed, M failed".
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PELAB="${PELAB_BINARY:-$ROOT/build/pelab}"
readonly ROOT PELAB
WORK=""

say() { printf 'parallel check: %s\n' "$*"; }
die() {
  printf 'parallel check: %s\n' "$*" >&2
  exit 1
}

install_parallel() {
  dpkg-query -W -f='${db:Status-Abbrev}' parallel 2>/dev/null | grep -q '^ii' && return
  if [[ "$(id -u)" -ne 0 ]]; then
    die "missing GNU parallel; install it as root:
  sudo apt-get update && sudo apt-get install -y --no-install-recommends parallel"
  fi
  say "installing parallel"
  { DEBIAN_FRONTEND=noninteractive apt-get update -q &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends parallel; } \
    >/dev/null 2>&1 || die "apt-get failed"
}

main() {
  [[ -x "$PELAB" ]] || die "no pelab at $PELAB: build it first (./setup.sh build) or set PELAB_BINARY"
  install_parallel
  local started report
  started="$(date +%s)"
  WORK="$(mktemp -d /tmp/pelab-parallel.XXXXXX)"
  trap 'rm -rf "$WORK"' EXIT
  "$PELAB" sweep --out "$WORK/runs" --task copy --pe none,rope --seed 0,1 --d-model 16 \
    --n-heads 2 --n-layers 1 --train-len-max 6 --eval-lens 3,6 --eval-examples 16 --steps 100 \
    --eval-every 50 --probe-examples 0 --list >"$WORK/commands.txt"
  mkdir -p "$WORK/runs"
  # --will-cite: the citation notice is for interactive use; --halt: a failing run fails it all.
  parallel --will-cite --halt now,fail=1 -j 2 <"$WORK/commands.txt" >"$WORK/parallel.log" 2>&1 ||
    { tail -n 20 "$WORK/parallel.log"; die "a run failed under parallel"; }
  report="$("$PELAB" report "$WORK/runs")"
  local passed=0 failed=0
  if [[ "$(wc -l <"$WORK/commands.txt")" == 4 ]] && grep -q '^4 run files: 4 read' <<<"$report" &&
    ! grep -q 'not finished' <<<"$report"; then
    passed=1
    say "PASS 4 commands from pelab sweep --list ran under parallel -j 2; pelab report reads 4 finished runs"
  else
    failed=1
    say "FAIL pelab report after parallel:"
    printf '%s\n' "$report" | tail -n 5
  fi
  say "took $(($(date +%s) - started)) s"
  printf 'parallel check: %d passed, %d failed\n' "$passed" "$failed"
  ((failed == 0))
}

main "$@"
