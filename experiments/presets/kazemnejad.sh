#!/usr/bin/env bash
# The whole reproduction in one command: kazemnejad.ini and kazemnejad-random.ini seed by seed
# (every cell's seed 0 first, so that a reproduction stopped part way has whole seeds and a
# report worth reading), then the RoPE scalings by evaluation (kazemnejad-scaling.sh), then the
# report with its figures.
#
#   experiments/presets/kazemnejad.sh [DIR] [pelab sweep options, e.g. --jobs 2]
#
# DIR defaults to runs/kazemnejad; PELAB (environment) to build/pelab. Started again, it goes on
# where it stopped: each sweep skips finished runs and resumes interrupted ones. A failing sweep
# does not stop the rest; the script then exits 1. The seeds are the presets' (0, 1, 2), given
# here one at a time, so leave --seed out of the options.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir=runs/kazemnejad
if (($#)) && [[ $1 != --* ]]; then
  dir="$1"
  shift
fi
pelab="${PELAB:-build/pelab}"
status=0
for seed in 0 1 2; do
  for preset in kazemnejad.ini kazemnejad-random.ini; do
    "$pelab" sweep --config "$here/$preset" --out "$dir" --seed "$seed" "$@" || status=1
  done
done
"$here/kazemnejad-scaling.sh" "$dir" "$pelab" || status=1
"$pelab" report "$dir" --plots || status=1
exit "$status"
