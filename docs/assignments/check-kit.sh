#!/usr/bin/env bash
# Checks the course kit end to end (docs/assignments/README.md).
#
#   docs/assignments/check-kit.sh [BUILD_DIR]
#
# 1. In the full build BUILD_DIR (default build/, already built), every assignment test
#    (ctest -R '^A[0-9]_') must pass, and there must be one suite per solution region name.
# 2. A student copy (make-student-copy.sh) in a temporary directory must build: Release,
#    warnings as errors (PELAB_WERROR's default), 2 jobs. A few minutes.
# 3. There, every one of those suites must have failing tests: the stubs throw.
# Prints one line per suite; exits 0 when all of it holds, 1 otherwise. The temporary
# directory is removed at the end unless PELAB_KIT_KEEP=1.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/../.."

readonly FILTER='^A[0-9]_'
build="${1:-build}"

say() { printf '==> %s\n' "$*"; }
die() { printf 'check-kit.sh: %s\n' "$*" >&2; exit 1; }

# suites_of FILE: the suite names (A2_Rope, ...) of the test names in FILE, sorted, unique.
suites_of() { grep -oE 'A[0-9]+_[A-Za-z0-9]+\.' "$1" | tr -d . | sort -u || true; }

[[ -f "$build/CTestTestfile.cmake" ]] ||
  die "$build/ is not a pelab build; build it first (./setup.sh build)"
build="$(cd "$build" && pwd)"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/pelab-kit.XXXXXX")"
if [[ "${PELAB_KIT_KEEP:-0}" == 1 ]]; then
  trap 'say "kept $tmp"' EXIT
else
  trap 'rm -rf "$tmp"' EXIT
fi

# 1. The full build: every assignment test passes.
ctest --test-dir "$build" -N -R "$FILTER" >"$tmp/tests.txt"
mapfile -t suites < <(suites_of "$tmp/tests.txt")
((${#suites[@]} > 0)) || die "no assignment tests (ctest -R '$FILTER') in $build/"
say "course kit: ${#suites[@]} assignment suites (${suites[*]})"
if ! ctest --test-dir "$build" -R "$FILTER" -j 2 --output-on-failure >"$tmp/full.log" 2>&1; then
  grep -E 'Failed|Exception|Timeout|Not Run' "$tmp/full.log" >&2 || true
  die "assignment tests fail in the full build $build/ (above)"
fi
say "full build: all $(grep -c 'Test *#' "$tmp/tests.txt") assignment tests pass"

# 2. The student copy builds.
"$here/make-student-copy.sh" "$tmp/pelab-student" >"$tmp/regions.txt" ||
  die "make-student-copy.sh failed (above)"
regions="$(tail -n +2 "$tmp/regions.txt" | awk '{print $1}' | sort -u | wc -l)"
((regions == ${#suites[@]})) ||
  die "$regions solution region names but ${#suites[@]} assignment suites (need one of each)"
say "student copy: $(head -n 1 "$tmp/regions.txt" | sed 's/^.*: //'); building it (Release, 2 jobs)"
start=$SECONDS
student_build="$tmp/pelab-student/build"
if ! { cmake -S "$tmp/pelab-student" -B "$student_build" -DCMAKE_BUILD_TYPE=Release \
         --log-level=WARNING &&
       cmake --build "$student_build" -j 2; } >"$tmp/build.log" 2>&1; then
  tail -n 40 "$tmp/build.log" >&2
  die "the student copy does not build (last lines above)"
fi
say "student copy built in $((SECONDS - start)) s"

# 3. There, every suite fails: each has at least one failing test.
status=0
ctest --test-dir "$student_build" -R "$FILTER" -j 2 --output-on-failure \
  >"$tmp/student.log" 2>&1 || status=$?
((status != 0)) || die "every assignment test passes in the student copy: the stubs do nothing"
failed_list="$student_build/Testing/Temporary/LastTestsFailed.log"
[[ -f "$failed_list" ]] || die "ctest wrote no list of failed tests ($failed_list)"
ok=1
for suite in "${suites[@]}"; do
  total="$(grep -c " $suite\." "$tmp/tests.txt" || true)"
  failing="$(grep -c ":$suite\." "$failed_list" || true)"
  if ((failing == 0)); then
    say "  $suite: all $total tests pass in the student copy: its stub is not reached"
    ok=0
  else
    say "  $suite: $failing of $total tests fail in the student copy"
  fi
done
((ok)) || die "some assignment suites do not fail in the student copy (above)"
say "course kit OK: every suite fails on the stubs and passes on the solutions"
