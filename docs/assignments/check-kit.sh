#!/usr/bin/env bash
# Checks the course kit end to end (docs/assignments/README.md).
#
#   docs/assignments/check-kit.sh [BUILD_DIR]
#
# 1. In the full build BUILD_DIR (default build/, already built), every assignment test
#    (ctest -R '^A[0-9]+_') must pass, and there must be one suite per solution region name.
# 2. A student copy (make-student-copy.sh) in a temporary directory must build: Release,
#    warnings as errors (PELAB_WERROR's default), 2 jobs. A few minutes.
# 3. There, every one of those suites must have failing tests: the stubs throw.
# 4. Prerequisites (points.txt): for each assignment, the copy with that assignment's and its
#    prerequisites' solutions put back, every other region still a stub, is rebuilt (only the
#    files that changed) and the assignment's suite must pass.
# 5. No solution is left in the copy: no run of 3 significant lines of a solution region is
#    found in any file of the copy (a helper outside a region, another task written the same
#    way), and no held-out part or PyTorch model is there.
# 6. grade.sh gives the student copy 0 points and this repository full marks (each a build of
#    its own, a few minutes).
# Prints one line per suite; exits 0 when all of it holds, 1 otherwise. The temporary
# directory is removed at the end unless PELAB_KIT_KEEP=1.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/../.."

readonly FILTER='^A[0-9]+_'
build="${1:-build}"

say() { printf '==> %s\n' "$*"; }
die() { printf 'check-kit.sh: %s\n' "$*" >&2; exit 1; }

# suites_of FILE: the suite names (A2_Rope, ...) of the test names in FILE, sorted, unique;
# the held-out suites (A3_AttentionHeldOut, in the full build only) left out.
suites_of() {
  grep -oE 'A[0-9]+_[A-Za-z0-9]+\.' "$1" | tr -d . | grep -v 'HeldOut$' | sort -u || true
}

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

# 4. Prerequisites: each suite passes with its own and its prerequisites' solutions only.
mapfile -t marked < <(git grep -lE '^[[:space:]]*// BEGIN SOLUTION ' -- '*.cpp' '*.h')
# put_back REGION,...: the copy's marked files as make-student-copy.sh --solved makes them,
# each written only when it changes, so the rebuild compiles only those.
put_back() {
  rm -rf "$tmp/stage"
  "$here/make-student-copy.sh" "$tmp/stage" --solved "$1" >/dev/null ||
    die "make-student-copy.sh --solved '$1' failed (above)"
  local f
  for f in "${marked[@]}"; do
    cmp -s "$tmp/stage/$f" "$tmp/pelab-student/$f" || cp "$tmp/stage/$f" "$tmp/pelab-student/$f"
  done
}
declare -A region_of=() needs=()
while read -r assignment _ region prerequisites; do
  region_of[$assignment]="$region"
  needs[$assignment]="${prerequisites//-/}"
done < <(sed 's/#.*//' "$here/points.txt" | awk 'NF == 4')
((${#region_of[@]} == ${#suites[@]})) ||
  die "points.txt lists ${#region_of[@]} assignments but there are ${#suites[@]} suites"
start=$SECONDS
for suite in "${suites[@]}"; do
  a="${suite%%_*}"
  [[ -n "${region_of[$a]:-}" ]] || die "$a (suite $suite) has no line in points.txt"
  solved="${region_of[$a]}" names="$a"
  for p in ${needs[$a]//,/ }; do
    [[ -n "${region_of[$p]:-}" ]] || die "points.txt: $a needs $p, which it does not list"
    solved+=",${region_of[$p]}" names+=", $p"
  done
  put_back "$solved"
  cmake --build "$student_build" -j 2 --target pelab_tests >"$tmp/build.log" 2>&1 ||
    { tail -n 20 "$tmp/build.log" >&2; die "the copy with $names solved does not build"; }
  if ! ctest --test-dir "$student_build" -R "^${a}_" -j 2 >"$tmp/prereq.log" 2>&1; then
    grep -E '\(Failed\)|Exception|\*\*\*' "$tmp/prereq.log" >&2 || true
    die "$suite fails with only $names solved: it runs other assignments' code; add them to its prerequisites in points.txt"
  fi
  say "  $suite passes with only $names solved"
done
put_back ""
say "prerequisites hold ($((SECONDS - start)) s): each suite needs only what points.txt says"

# 5. No solution left in the copy.
if grep -rlE 'BEGIN HELDOUT|HeldOut' "$tmp/pelab-student/tests" >/dev/null 2>&1; then
  die "held-out tests are in the student copy: $(grep -rlE 'BEGIN HELDOUT|HeldOut' \
    "$tmp/pelab-student/tests" | head -3 | tr '\n' ' ')"
fi
/usr/bin/env python3 - "$PWD" "$tmp/pelab-student" <<'PY' || die "solutions are in the student copy (above)"
import os
import re
import subprocess
import sys

repo, copy = sys.argv[1:]

def significant(line):
    """A line as compared: no comment, no spaces; None when it says nothing on its own (short
    lines, OpenMP pragmas and loop headers, which every kernel of a file shares)."""
    line = re.sub(r"//.*", "", line)
    line = re.sub(r"\s+", "", line)
    if len(line) < 8 or line.startswith(("#pragma", "for(")):
        return None
    return line

files = subprocess.run(["git", "-C", repo, "ls-files", "*.cpp", "*.h"], capture_output=True,
                       text=True, check=True).stdout.split()
regions = []  # (name, file, significant lines)
for path in files:
    name, body = None, []
    for line in open(os.path.join(repo, path)):
        m = re.match(r"\s*// BEGIN SOLUTION (\w+)\s*$", line)
        if m:
            name, body = m.group(1), []
        elif re.match(r"\s*// END SOLUTION\s*$", line) and name:
            regions.append((name, path, [s for s in map(significant, body) if s]))
            name = None
        elif name:
            body.append(line)
found = 0
for root, _, names in os.walk(copy):
    if "/build" in root:
        continue
    for n in names:
        if not n.endswith((".cpp", ".h", ".py", ".md")):
            continue
        path = os.path.join(root, n)
        lines = [s for s in map(significant, open(path, errors="replace")) if s]
        joined = "\n".join(lines)
        for name, origin, body in regions:
            for i in range(len(body) - 2):
                window = "\n".join(body[i:i + 3])
                if len(window) >= 80 and window in joined:  # 3 lines with some substance
                    print(f"check-kit.sh: {os.path.relpath(path, copy)} holds 3 lines of the "
                          f"solution of {name} ({origin}): {body[i]} ...", file=sys.stderr)
                    found += 1
                    break
sys.exit(1 if found else 0)
PY
for f in tests/golden/reference.py experiments/torch_ref.py; do
  [[ ! -e "$tmp/pelab-student/$f" ]] || die "$f (a PyTorch model of the assignments) is in the copy"
done
say "no solution in the student copy: no region's lines elsewhere, no held-out part, no PyTorch model"

# 6. Grading: 0 for the stubs, full marks for the solutions.
grade_total() { awk -F, '$1 == "total" { print $4 " " $5 }' "$1/grades.csv"; }
"$here/grade.sh" "$tmp/pelab-student" --out "$tmp/grade-student" --jobs 2 >"$tmp/grade.log" 2>&1 ||
  { tail -n 20 "$tmp/grade.log" >&2; die "grade.sh failed on the student copy"; }
read -r got max < <(grade_total "$tmp/grade-student")
[[ "$got" == 0 ]] || die "grade.sh gives the student copy $got of $max points, not 0"
say "grade.sh: the student copy gets 0 of $max points"
"$here/grade.sh" . --out "$tmp/grade-full" --jobs 2 >"$tmp/grade.log" 2>&1 ||
  { tail -n 20 "$tmp/grade.log" >&2; die "grade.sh failed on the full repository"; }
read -r got max < <(grade_total "$tmp/grade-full")
[[ "$got" == "$max" ]] || {
  grep FAIL "$tmp/grade-full/report.md" >&2 || true
  die "grade.sh gives the full repository $got of $max points, not full marks"
}
say "grade.sh: the full repository gets $got of $max points"
say "course kit OK: every suite fails on the stubs and passes on the solutions; grading works"
