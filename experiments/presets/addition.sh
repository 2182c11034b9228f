#!/usr/bin/env bash
# The addition comparison in one command: addition.ini (every encoding with sequential, coupled
# and digit ids) and addition-hints.ini (index hints) seed by seed, every cell's seed 0 first,
# then the report with its figures.
#
#   experiments/presets/addition.sh [DIR] [pelab sweep options, e.g. --jobs 2]
#
# DIR defaults to runs/addition; PELAB (environment) to build/pelab. Started again, it goes on
# where it stopped (each sweep skips finished runs and resumes interrupted ones). A failing
# sweep does not stop the rest; the script then exits 1. The seeds are the presets' (0, 1, 2),
# given one at a time, so leave --seed out of the options.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir=runs/addition
if (($#)) && [[ $1 != --* ]]; then
  dir="$1"
  shift
fi
pelab="${PELAB:-build/pelab}"
status=0
for seed in 0 1 2; do
  for preset in addition.ini addition-hints.ini; do
    "$pelab" sweep --config "$here/$preset" --out "$dir" --seed "$seed" "$@" || status=1
  done
done
"$pelab" report "$dir" --plots || status=1
exit "$status"
