#!/usr/bin/env bash
# Grades a student's pelab tree (docs/assignments/README.md, "Grading").
#
#   docs/assignments/grade.sh SUBMISSION_DIR [--out REPORT_DIR] [--jobs N]
#
# 1. Copies the submission (without its build directories, .git and tests/) to a temporary
#    directory and puts this repository's own tests/ there instead: the instructor's pristine
#    tests, with the held-out parts (// BEGIN HELDOUT ... // END HELDOUT: other shapes, seeds and
#    edge cases, and the reference implementations they compare with) that the student copy
#    lacks. A student's edits to tests/ count for nothing.
# 2. Builds it (Release, warnings not fatal: a warning costs no points) and runs every
#    assignment test (ctest -R '^A[0-9]+_').
# 3. Writes REPORT_DIR (default ./grade-report): report.md (per assignment: tests passed, points;
#    per test: pass or fail and its points; the total), grades.csv (one line per assignment) and
#    junit.xml (ctest's JUnit XML, for a learning platform). An assignment's points
#    (points.txt) are split equally among its tests; the report names its prerequisites
#    (points.txt) that lost points, since its tests run their code too. A submission that does not build gets 0,
#    with the build's last lines in the report.
# Exit: 0 when a report was written (whatever the grade), 2 on bad usage.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(git -C "$here" rev-parse --show-toplevel)"

usage() {
  sed -n '4p' "$0" | sed 's/^# *//' >&2
  exit 2
}
die() { printf 'grade.sh: %s\n' "$*" >&2; exit 2; }
say() { printf '==> %s\n' "$*"; }

submission="" out="$PWD/grade-report" jobs="$(nproc)"
while (($#)); do
  case "$1" in
    --out) (($# >= 2)) || usage; out="$2"; shift 2 ;;
    --jobs) (($# >= 2)) || usage; jobs="$2"; shift 2 ;;
    -h|--help) usage ;;
    -*) die "unknown option $1" ;;
    *) [[ -z "$submission" ]] || die "one SUBMISSION_DIR only (got $submission and $1)"
       submission="$1"; shift ;;
  esac
done
[[ -n "$submission" ]] || usage
[[ -d "$submission" ]] || die "SUBMISSION_DIR $submission is not a directory"
[[ -f "$submission/CMakeLists.txt" ]] || die "$submission has no CMakeLists.txt: not a pelab tree"
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || die "--jobs must be a positive number, got $jobs"
submission="$(cd "$submission" && pwd)"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/pelab-grade.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
src="$tmp/src" build="$tmp/build"
mkdir -p "$src"

# 1. The submission without its tests, then the instructor's tests.
tar -C "$submission" --exclude='./build*' --exclude='./.git' --exclude='./tests' --exclude='./runs' \
  -cf - . |
  tar -C "$src" -xf -
(cd "$repo" && git ls-files -z -- tests | tar --null -T - -cf -) | tar -C "$src" -xf -
say "grading $submission with the tests of $repo"

# 2. Build and run.
built=1
if ! { cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DPELAB_WERROR=OFF \
         --log-level=WARNING && cmake --build "$build" -j "$jobs" --target pelab_tests; } \
       >"$tmp/build.log" 2>&1; then
  built=0
  say "the submission does not build (the report has the last lines)"
fi
rm -f "$out/junit.xml"
if ((built)); then
  ctest --test-dir "$build" -R '^A[0-9]+_' -j "$jobs" --timeout 600 \
    --output-junit "$out/junit.xml" >"$tmp/ctest.log" 2>&1 || true
  ctest --test-dir "$build" -N -R '^A[0-9]+_' >"$tmp/tests.txt"
else
  : >"$tmp/tests.txt"
fi

# 3. The report.
/usr/bin/env python3 - "$here/points.txt" "$out" "$built" "$tmp/build.log" "$tmp/tests.txt" \
  "$submission" <<'PY'
import os
import re
import sys
import xml.etree.ElementTree as ET

points_file, out, built, build_log, tests_txt, submission = sys.argv[1:]
built = built == "1"
points, needs = {}, {}
for line in open(points_file):
    line = line.split("#")[0].split()
    if len(line) >= 2:
        points[line[0]] = float(line[1])
        needs[line[0]] = [p for p in (line[3] if len(line) >= 4 else "-").split(",") if p != "-"]

# Every assignment test the pristine tests define, and whether it passed.
listed = re.findall(r"Test +#\d+: (A\d+_\S+)", open(tests_txt).read()) if built else []
passed = {}
junit = os.path.join(out, "junit.xml")
if built and os.path.exists(junit):
    for case in ET.parse(junit).getroot().iter("testcase"):
        name = case.get("name")
        ok = case.find("failure") is None and case.find("error") is None and \
            case.find("skipped") is None and case.get("status", "run") in ("run", "passed")
        passed[name] = ok
rows = []
for assignment, total_points in sorted(points.items(), key=lambda kv: int(kv[0][1:])):
    tests = sorted(t for t in listed if t.startswith(assignment + "_"))
    each = total_points / len(tests) if tests else 0.0
    results = [(t, passed.get(t, False)) for t in tests]
    earned = round(each * sum(ok for _, ok in results), 2)
    rows.append((assignment, total_points, each, results, earned))

total = round(sum(r[4] for r in rows), 2)
maximum = sum(r[1] for r in rows)
with open(os.path.join(out, "report.md"), "w") as f:
    f.write(f"# Grade of {submission}\n\n")
    if not built:
        tail = open(build_log).read().splitlines()[-30:]
        f.write("The submission does not build: every assignment gets 0.\n\n```\n")
        f.write("\n".join(tail) + "\n```\n\n")
    # An assignment's tests also run its prerequisites' code (points.txt): name the ones that
    # lost points, so that a failure is read where it comes from.
    short = {r[0] for r in rows if r[4] < r[1]}
    f.write("| assignment | tests passed | points | needs |\n|---|---|---|---|\n")
    for assignment, total_points, each, results, earned in rows:
        n_ok = sum(ok for _, ok in results)
        pre = ", ".join(p + (" (not full)" if p in short else "") for p in needs[assignment])
        f.write(f"| {assignment} | {n_ok} of {len(results)} | {earned:g} of {total_points:g} "
                f"| {pre or '-'} |\n")
    f.write(f"| **total** | | **{total:g} of {maximum:g}** | |\n\n")
    f.write("An assignment's tests also run the code of the assignments it needs: a failure "
            "there can fail tests here too.\n\n")
    for assignment, total_points, each, results, earned in rows:
        f.write(f"## {assignment}: {earned:g} of {total_points:g}\n\n")
        for name, ok in results:
            f.write(f"- {'pass' if ok else 'FAIL'} {name} "
                    f"({round(each if ok else 0, 2):g} of {round(each, 2):g})\n")
        f.write("\n")
with open(os.path.join(out, "grades.csv"), "w") as f:
    f.write("assignment,tests,passed,points,max\n")
    for assignment, total_points, each, results, earned in rows:
        f.write(f"{assignment},{len(results)},{sum(ok for _, ok in results)},{earned:g},{total_points:g}\n")
    f.write(f"total,,,{total:g},{maximum:g}\n")
if not built or not os.path.exists(junit):
    with open(junit, "w") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<testsuite name="pelab" tests="1" '
                'failures="1">\n  <testcase name="build" classname="pelab">\n'
                '    <failure message="the submission does not build"/>\n  </testcase>\n'
                '</testsuite>\n')
for assignment, total_points, each, results, earned in rows:
    print(f"==>   {assignment}: {sum(ok for _, ok in results)} of {len(results)} tests, "
          f"{earned:g} of {total_points:g} points")
print(f"==> total: {total:g} of {maximum:g} points; report in {out}/report.md")
PY
