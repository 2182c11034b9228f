#!/usr/bin/env bash
# kazemnejad-scaling.ini's comparison without training again: evaluates every finished rope run
# of DIR (task-*_pe-rope_seed-*.h5, as kazemnejad.ini names them) with each RoPE scaling of the
# INI file and its settings, into the file the INI's sweep would have written
# (task-*_pe-rope_rope-scaling-<name>_seed-*.h5). Training never applies RoPE scaling, so the
# numbers are the same, bit for bit, as those of `pelab sweep --config kazemnejad-scaling.ini`
# (at the same thread count), for a few seconds a run instead of a training each.
#
#   experiments/presets/kazemnejad-scaling.sh DIR [PELAB]      (PELAB: default build/pelab)
#
# Files that exist already are kept; a rope run that has not finished is skipped and named.
set -euo pipefail
dir="${1:?usage: experiments/presets/kazemnejad-scaling.sh DIR [PELAB]}"
pelab="${2:-build/pelab}"
ini="$(dirname "${BASH_SOURCE[0]}")/kazemnejad-scaling.ini"
value() {
  local v
  v="$(sed -n "s/^$1 *= *//p" "$ini")"
  [[ -n $v ]] || { echo "$ini: no '$1' line" >&2; exit 2; }
  echo "$v"
}
scalings="$(value rope-scaling | tr -d ' ' | tr ',' ' ')"
settings=(--rope-scaling-factor "$(value rope-scaling-factor)" --yarn-alpha "$(value yarn-alpha)"
          --yarn-beta "$(value yarn-beta)" --yarn-original-len "$(value yarn-original-len)")
shopt -s nullglob
runs=("$dir"/task-*_pe-rope_seed-*.h5)
((${#runs[@]})) || { echo "$dir: no rope runs (task-*_pe-rope_seed-*.h5)" >&2; exit 2; }
done_count=0
for run in "${runs[@]}"; do
  for s in $scalings; do
    out="${run/_seed-/_rope-scaling-${s}_seed-}"
    [[ -e $out ]] && continue
    if ! "$pelab" eval "$run" --out "$out" --rope-scaling "$s" "${settings[@]}" --quiet; then
      echo "skipped $run" >&2
      break
    fi
    done_count=$((done_count + 1))
  done
done
echo "$done_count evaluations written into $dir"
