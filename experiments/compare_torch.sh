#!/usr/bin/env bash
# pelab bench beside the PyTorch model experiments/torch_ref.py, side by side in one session,
# for docs/performance.md.
#
#   experiments/compare_torch.sh [TORCH_SCRIPT.py] [ROUNDS] [CONFIG ...]
#
# TORCH_SCRIPT.py (default experiments/torch_ref.py) is any script with torch_ref.py's `bench`
# command and output line. For each configuration (default: tiny small medium) it measures,
# ROUNDS times (default 2) in turn, pelab at 1 and 2 threads and PyTorch at 1 and 2 threads,
# keeps each one's best step time (the machine is shared and noisy: the best is the least
# disturbed), then prints a Markdown table of tokens/s and ratios, and pelab's 2-thread GFLOP/s
# against the 2-thread sgemm ceiling on the configuration's shapes (pelab bench --gemm),
# measured in every round too, right after pelab's own 2-thread run, best of the rounds (the
# ceiling moves with the machine's load as much as the step does). Beside it, the share of the
# ceiling measured over the same seconds: pelab's 2-thread run is `pelab bench --ceiling`, which
# times the ceiling's products between its timed steps (the median of the rounds' shares, and
# their range). PyTorch runs with OPENBLAS_CORETYPE set to the kernel pelab chose, so both use
# the same BLAS kernels (PyTorch at its best). Build pelab first (./setup.sh build). Needs
# PyTorch, which pelab itself never needs: Debian's python3-torch (sudo apt-get install
# python3-torch).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
torch_ref=experiments/torch_ref.py
if [[ "${1:-}" == *.py ]]; then
  torch_ref="$1"
  shift
fi
rounds="${1:-2}"
(($# == 0)) || shift
configs=("$@")
((${#configs[@]})) || configs=(tiny small medium)
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  echo "compare_torch.sh: PyTorch is missing. Install Debian's: sudo apt-get install python3-torch" >&2
  exit 2
fi
[[ -x build/pelab ]] || { echo "compare_torch.sh: build/pelab is missing: run ./setup.sh build first" >&2; exit 2; }
pelab=build/pelab
kernel="$("$pelab" bench --gemm --threads 1 --config tiny | sed -n 's/.*OpenBLAS kernel \([a-z0-9]*\).*/\1/p')"

field() { sed -En "s/(.* |^)$1=([0-9.]*).*/\2/p" | tail -n 1; }
best() { printf '%s\n' "$@" | sort -g | head -n 1; }

printf '| config | pelab 1t tok/s | pelab 2t tok/s | torch 1t tok/s | torch 2t tok/s | 1t ratio | 2t ratio (vs torch best) | pelab 2t GFLOP/s | 2t sgemm ceiling GFLOP/s | of the ceiling | of the ceiling, same seconds | pelab peak RSS MB | torch peak RSS MB | RSS ratio |\n'
printf '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n'
for c in "${configs[@]}"; do
  declare -A ms=()
  rss_p="" rss_t="" gf="" ceil="" share=""
  for ((r = 0; r < rounds; ++r)); do
    for t in 1 2; do
      if [[ $t == 1 ]]; then
        out="$("$pelab" bench --config "$c" --pe rope --threads 1)"
        rss_p="$(echo "$out" | field peak_rss_mb)"   # the 2-thread run holds the ceiling's operands too
      else
        out="$("$pelab" bench --config "$c" --pe rope --threads 2 --ceiling)"
        gf+="$(echo "$out" | field gflops) "
        share+="$(echo "$out" | field of_ceiling) "
        ceil+="$("$pelab" bench --gemm --config "$c" --threads 2 | field gflops) "
      fi
      ms[p$t]+="$(echo "$out" | field step_ms) "
      out="$(OPENBLAS_CORETYPE="$kernel" /usr/bin/time -f 'maxrss_kb=%M' /usr/bin/python3 "$torch_ref" bench \
             --config "$c" --pe rope --threads "$t" 2>&1)"
      ms[t$t]+="$(echo "$out" | field step_ms) "
      [[ $t == 1 ]] && rss_t="$(echo "$out" | field maxrss_kb)"
    done
  done
  tokens=$(/usr/bin/python3 -c "c={'tiny':64*32,'small':128*32,'medium':256*16}; print(c['$c'])")
  /usr/bin/python3 - "$c" "$tokens" "$(best ${ms[p1]})" "$(best ${ms[p2]})" "$(best ${ms[t1]})" \
      "$(best ${ms[t2]})" "$(printf '%s\n' $gf | sort -g | tail -n 1)" \
      "$(printf '%s\n' $ceil | sort -g | tail -n 1)" "$rss_p" "$rss_t" "$share" <<'PY'
import statistics, sys
c, tokens, p1, p2, t1, t2, gf, ceil, rss_p, rss_t, share = sys.argv[1:]
tokens = float(tokens)
shares = [float(x) for x in share.split()]
tps = [tokens / (float(x) / 1e3) for x in (p1, p2, t1, t2)]
best_torch = max(tps[2], tps[3])
print(f"| {c} | {tps[0]:.0f} | {tps[1]:.0f} | {tps[2]:.0f} | {tps[3]:.0f} | "
      f"{tps[0] / tps[2]:.2f}x | {tps[1] / best_torch:.2f}x | {float(gf):.1f} | {float(ceil):.1f} | "
      f"{100 * float(gf) / float(ceil):.0f}% | "
      f"{statistics.median(shares):.0f}% ({min(shares):.0f}-{max(shares):.0f}) | {float(rss_p):.0f} | "
      f"{float(rss_t) / 1024:.0f} | {100 * float(rss_p) / (float(rss_t) / 1024):.1f}% |")
PY
  unset ms
done
echo
for t in 1 2; do "$pelab" bench --gemm --threads "$t" --config medium | tail -n 1; done
echo "OpenBLAS kernel: $kernel; $(nproc) cores; $(date -u +%Y-%m-%dT%H:%MZ)"
