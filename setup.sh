#!/usr/bin/env bash
# pelab's single entry point, for a fresh Debian 12 machine with a compiler and CMake.
#
#   ./setup.sh demo [--out DIR] [args]
#                            set up, build, then run the headline comparison of encodings
#                            (experiments/presets/quick.ini: pelab sweep into DIR, default
#                            runs/quick, with args added; then pelab report DIR --plots)
#   ./setup.sh test [args]   set up, build, run every test; check the course kit (a student
#                            copy must build and fail every assignment suite); then build
#                            again with AddressSanitizer + UBSan (build-asan/) and run every
#                            test there (args go to both ctest runs, e.g. -R Gemm)
#   ./setup.sh build         set up and build only
#
# "Set up" installs the Debian packages pelab needs, if any are missing (as root). A second
# run installs nothing and rebuilds only what changed.
# Environment: PELAB_SKIP_APT=1 skips the package check (another distribution, or packages
# installed by hand). PELAB_SKIP_KIT=1 skips the course-kit check of `test`
# (docs/assignments/check-kit.sh, a few minutes: it builds the student copy).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

# The last three draw the figures of `pelab report --plots` (experiments/plots.py).
readonly PACKAGES=(build-essential cmake libopenblas-dev libhdf5-dev
                   libboost-program-options-dev libgtest-dev
                   python3 python3-h5py python3-matplotlib)
readonly BUILD_DIR=build
readonly ASAN_DIR=build-asan
JOBS="$(nproc)"
readonly JOBS

say() { printf '==> %s\n' "$*"; }
die() { printf 'setup.sh: %s\n' "$*" >&2; exit 1; }

usage() {
  sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
}

# Prints the packages of PACKAGES that dpkg does not report as installed, one per line.
missing_packages() {
  local p status
  for p in "${PACKAGES[@]}"; do
    status="$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)"
    [[ "$status" == ii* ]] || echo "$p"
  done
}

install_packages() {
  if [[ "${PELAB_SKIP_APT:-0}" == 1 ]]; then return; fi
  if ! command -v dpkg-query >/dev/null; then
    say "no dpkg here: not checking packages; pelab needs the equivalents of ${PACKAGES[*]}"
    return
  fi
  local missing
  mapfile -t missing < <(missing_packages)
  ((${#missing[@]} == 0)) && return
  if [[ "$(id -u)" -ne 0 ]]; then
    die "missing Debian packages: ${missing[*]}
Install them as root, then run this again:
  sudo apt-get update && sudo apt-get install -y ${missing[*]}"
  fi
  say "installing ${missing[*]}"
  local log
  log="$(mktemp)"
  # apt's progress goes to a log, shown only if something fails.
  if ! { DEBIAN_FRONTEND=noninteractive apt-get update -q &&
         DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
           "${missing[@]}"; } >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    rm -f "$log"
    die "apt-get failed (last lines above)"
  fi
  rm -f "$log"
}

# configure_and_build DIR [cmake options...]: configures DIR (quietly; a no-op when nothing
# changed) and builds it with one job per core.
configure_and_build() {
  local dir="$1"
  shift
  say "building $dir/ ($*)"
  cmake -S . -B "$dir" --log-level=WARNING "$@" >/dev/null || die "configuring $dir/ failed (above)"
  cmake --build "$dir" -j "$JOBS" || die "building $dir/ failed (above)"
}

build_release() { configure_and_build "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release; }

# run_ctest DIR LABEL [ctest args...]: runs DIR's tests; prints how long they took. Returns
# ctest's status.
run_ctest() {
  local dir="$1" label="$2"
  shift 2
  say "running the tests of $dir/ ($label)"
  local start=$SECONDS status=0
  ctest --test-dir "$dir" --output-on-failure -j 2 "$@" || status=$?
  say "$label tests: $((SECONDS - start)) s, $([[ $status == 0 ]] && echo passed || echo FAILED)"
  return "$status"
}

cmd_test() {
  local failed=() kit="course kit, "
  local start=$SECONDS
  build_release
  run_ctest "$BUILD_DIR" Release "$@" || failed+=(Release)
  say "Release part (build + tests): $((SECONDS - start)) s"

  # The course kit (docs/assignments/): the assignment tests pass here, and a student copy,
  # its solutions replaced by stubs, builds and fails every assignment suite.
  if [[ "${PELAB_SKIP_KIT:-0}" == 1 ]]; then
    say "course kit check skipped (PELAB_SKIP_KIT=1)"
    kit=""
  else
    start=$SECONDS
    say "checking the course kit (builds a student copy in a temporary directory)"
    docs/assignments/check-kit.sh "$BUILD_DIR" || failed+=("course kit")
    say "course kit part: $((SECONDS - start)) s"
  fi

  # Sanitizers: memory errors (out of bounds, use after free, leaks) and undefined behaviour
  # abort the test that caused them, so they fail this command like any failed assertion.
  start=$SECONDS
  configure_and_build "$ASAN_DIR" -DCMAKE_BUILD_TYPE=Debug -DPELAB_SANITIZE=ON
  ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}" \
  UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}" \
    run_ctest "$ASAN_DIR" "AddressSanitizer+UBSan" "$@" || failed+=("AddressSanitizer+UBSan")
  say "sanitizer part (build + tests): $((SECONDS - start)) s"

  if ((${#failed[@]})); then
    die "tests failed: ${failed[*]}"
  fi
  say "all tests passed (Release, ${kit}AddressSanitizer+UBSan)"
}

# The headline comparison (experiments/presets/quick.ini): six encodings on copy and reverse,
# then its table and figures. Started again, the sweep skips the runs already finished.
cmd_demo() {
  local out="runs/quick"
  if [[ "${1:-}" == "--out" && -n "${2:-}" ]]; then
    out="$2"
    shift 2
  fi
  local start=$SECONDS
  "$BUILD_DIR/pelab" sweep --config experiments/presets/quick.ini --out "$out" "$@"
  "$BUILD_DIR/pelab" report "$out" --plots \
    --attention task-copy_pe-rope_seed-0 task-copy_pe-none_seed-0
  say "the comparison took $((SECONDS - start)) s; table: $out/report.md, figures: $out/figures/"
}

main() {
  local cmd="${1:-}"
  [[ $# -gt 0 ]] && shift
  case "$cmd" in
    demo)
      install_packages
      build_release
      cmd_demo "$@"
      ;;
    test)
      install_packages
      cmd_test "$@"
      ;;
    build)
      install_packages
      build_release
      ;;
    -h | --help | help)
      usage
      ;;
    *)
      usage >&2
      [[ -n "$cmd" ]] && die "unknown command '$cmd'"
      exit 2
      ;;
  esac
}

main "$@"
