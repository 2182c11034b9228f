#!/usr/bin/env bash
# kazemnejad-scaling.ini's comparison without training again: for every run that INI's sweep
# would train (`pelab sweep --list`, with the seeds of DIR's rope runs), evaluates the finished
# rope run it differs from only in its RoPE scaling (task-*_pe-rope_seed-*.h5, as
# kazemnejad.ini names them) with that run's scaling settings, into the file the sweep would
# have written (task-*_pe-rope_rope-scaling-<method>_seed-*.h5). Training never applies RoPE
# scaling, so the numbers are the same, bit for bit, as those of `pelab sweep --config
# kazemnejad-scaling.ini` (at the same thread count), for a few seconds a run instead of a
# training each. The INI is read by pelab itself, so its per-task and per-method sections apply
# here as in the sweep.
#
#   experiments/presets/kazemnejad-scaling.sh DIR [PELAB]      (PELAB: default build/pelab)
#
# Files that exist already are kept; rope runs not trained yet are counted, and one that cannot
# be evaluated (unfinished) is named. To find files evaluated with other settings than the INI
# asks for now: pelab sweep --config experiments/presets/kazemnejad-scaling.ini --out DIR
# --seed S --status (lines "other-settings NAME: what differs"); move them away and run this
# again.
set -euo pipefail
dir="${1:?usage: experiments/presets/kazemnejad-scaling.sh DIR [PELAB]}"
pelab="${2:-build/pelab}"
ini="$(dirname "${BASH_SOURCE[0]}")/kazemnejad-scaling.ini"
shopt -s nullglob
runs=("$dir"/task-*_pe-rope_seed-*.h5)
((${#runs[@]})) || { echo "$dir: no rope runs (task-*_pe-rope_seed-*.h5)" >&2; exit 2; }
# The seeds of the rope runs there, whatever the INI's: every rope run gets its scalings.
seeds="$(printf '%s\n' "${runs[@]}" | sed 's/.*_seed-//; s/\.h5$//' | sort -un | paste -sd, -)"
listing="$("$pelab" sweep --config "$ini" --out "$dir" --seed "$seeds" --list)"
done_count=0
waiting=0
declare -A failed  # rope runs pelab eval refused (unfinished): named once, then passed over
while IFS= read -r line; do
  eval "words=($line)"  # pelab's own listing: one shell-quoted command per run
  settings=()
  out=""
  for ((i = 0; i < ${#words[@]} - 1; i++)); do
    case "${words[i]}" in
      --rope-scaling | --rope-scaling-factor | --yarn-alpha | --yarn-beta | --yarn-original-len)
        settings+=("${words[i]}" "${words[i + 1]}") ;;
      --out) out="${words[i + 1]}" ;;
    esac
  done
  [[ -n $out && ! -e $out ]] || continue
  run="$(echo "$out" | sed 's/_rope-scaling-[^_]*_seed-/_seed-/')"
  if [[ ! -e $run || -n ${failed[$run]:-} ]]; then
    waiting=$((waiting + 1))
    continue
  fi
  if ! "$pelab" eval "$run" --out "$out" "${settings[@]}" --quiet; then
    echo "skipped $run's scalings: it could not be evaluated" >&2
    failed[$run]=1
    waiting=$((waiting + 1))
    continue
  fi
  done_count=$((done_count + 1))
done <<<"$listing"
echo "$done_count evaluations written into $dir ($waiting waiting for their rope run)"
