#!/usr/bin/env bash
# Makes the student copy of pelab for the course kit (docs/assignments/README.md).
#
#   docs/assignments/make-student-copy.sh DEST [--solved REGION,...]
#
# Copies every file git tracks (the working tree's version, as `git ls-files` lists them) to
# DEST, which must not exist or be empty. In the C++ sources (*.cpp, *.h) each solution region
#
#     // BEGIN SOLUTION <name>
#     ...the solution...
#     // END SOLUTION
#
# keeps its two marker lines, so the student sees where to write, and its solution becomes
#
#     throw std::logic_error("not implemented: <name>");
#
# indented like the BEGIN line; with --solved, the regions of those names keep their solution
# (check-kit.sh builds such copies to check each assignment's prerequisites). A region is a
# whole function body or a statement sequence, so
# the stub compiles; a file with a region must include <stdexcept> itself. The copy's
# CMakeLists.txt turns off the unused-argument and unused-function warnings (a stub leaves
# them unused).
#
# The instructor's part stays out of the copy: in every C++ file, the lines from
# `// BEGIN HELDOUT` to `// END HELDOUT` (markers included) are removed: held-out tests and the
# reference implementations they use, which grade.sh puts back when it grades. So are the
# PyTorch models that implement the assignments (HELD_OUT_FILES below). Everything else is
# copied unchanged. Fails, naming the file and line, on a marker that is malformed, nested,
# unclosed or closes nothing; DEST is then incomplete and should be deleted.
set -euo pipefail

die() { printf 'make-student-copy.sh: %s\n' "$*" >&2; exit 1; }

usage() {
  printf 'usage: %s DEST [--solved REGION,...]\n' "$0" >&2
  exit 2
}
dest="" solved=""
while (($#)); do
  case "$1" in
    --solved) (($# >= 2)) || usage; solved="$2"; shift 2 ;;
    -*) usage ;;
    *) [[ -z "$dest" ]] || usage; dest="$1"; shift ;;
  esac
done
[[ -n "$dest" ]] || usage
[[ "$solved" =~ ^[A-Za-z0-9_,]*$ ]] || die "--solved takes region names separated by commas, got '$solved'"
repo="$(git -C "$(dirname "${BASH_SOURCE[0]}")" rev-parse --show-toplevel)" ||
  die "not inside pelab's git repository"
for name in ${solved//,/ }; do
  (cd "$repo" && git grep -qE "^[[:space:]]*// BEGIN SOLUTION $name[[:space:]]*\$" -- '*.cpp' '*.h') ||
    die "--solved: no solution region is named '$name'"
done
if [[ -e "$dest" && -n "$(ls -A "$dest" 2>/dev/null || echo file)" ]]; then
  die "$dest exists and is not an empty directory"
fi
mkdir -p "$dest"
dest="$(cd "$dest" && pwd)"

# Files that are solutions in another language: the PyTorch models (sinusoidal, RoPE, ALiBi,
# attention, AdamW) behind the golden fixtures and the benchmark. The tests read only the
# committed fixtures.
readonly HELD_OUT_FILES=(tests/golden/reference.py tests/golden/make_fixtures.py
                         tests/fixtures/make_optim_fixtures.py experiments/torch_ref.py
                         experiments/compare_torch.sh)

# Every tracked file, with its mode, but those.
(cd "$repo" && git ls-files -z | tar --null -T - -cf -) | tar -xf - -C "$dest"
for f in "${HELD_OUT_FILES[@]}"; do rm -f "$dest/$f"; done

# The awk program: one C++ file in, its student version out (stdout); one line per region
# ("name<TAB>file:line") appended to the file named by the variable `regions`.
# shellcheck disable=SC2016  # the $ are awk's
stub_program='
function fail(line, msg) {
  printf "make-student-copy.sh: %s:%d: %s\n", path, line, msg > "/dev/stderr"
  failed = 1
  exit 1
}
/^[ \t]*\/\/ BEGIN HELDOUT[ \t]*$/ {
  if (name != "") fail(FNR, "a held-out part begins inside the region \"" name "\"")
  if (held) fail(FNR, "a held-out part begins inside the one opened on line " held)
  held = FNR
  next
}
/^[ \t]*\/\/ END HELDOUT[ \t]*$/ {
  if (!held) fail(FNR, "END HELDOUT without a BEGIN HELDOUT before it")
  held = 0
  next
}
held { next }
/BEGIN SOLUTION|END SOLUTION/ {
  if ($0 ~ /^[ \t]*\/\/ BEGIN SOLUTION [A-Za-z0-9_]+[ \t]*$/) {
    if (name != "")
      fail(FNR, "a region begins inside the region \"" name "\" opened on line " start)
    indent = $0
    sub(/[^ \t].*$/, "", indent)
    name = $0
    sub(/^[ \t]*\/\/ BEGIN SOLUTION /, "", name)
    sub(/[ \t]*$/, "", name)
    start = FNR
    kept = index("," solved ",", "," name ",") > 0
    print
    next
  }
  if ($0 ~ /^[ \t]*\/\/ END SOLUTION[ \t]*$/) {
    if (name == "") fail(FNR, "END SOLUTION without a BEGIN SOLUTION before it")
    if (!kept) {
      print indent "throw std::logic_error(\"not implemented: " name "\");"
      printf "%s\t%s:%d\n", name, path, start >> regions
    }
    print
    regions_here = 1
    name = ""
    kept = 0
    next
  }
  fail(FNR, "malformed marker: \"// BEGIN SOLUTION <name>\" and \"// END SOLUTION\" stand alone")
}
/^#include <stdexcept>/ { has_stdexcept = 1 }
name == "" || kept { print }
END {
  if (failed) exit 1
  if (name != "") fail(start, "the region \"" name "\" opened here has no END SOLUTION")
  if (held) fail(held, "the held-out part opened here has no END HELDOUT")
  if (!has_stdexcept && regions_here) fail(1, "has solution regions but does not #include <stdexcept>")
}'

regions="$(mktemp)"
trap 'rm -f "$regions"' EXIT
held_files=0
while IFS= read -r -d '' file; do
  grep -qE 'BEGIN SOLUTION|END SOLUTION|BEGIN HELDOUT|END HELDOUT' "$dest/$file" || continue
  awk -v path="$file" -v regions="$regions" -v solved="$solved" "$stub_program" "$repo/$file" \
    >"$dest/$file" ||
    die "fix the markers of $file (above); $dest is incomplete"
  grep -q 'BEGIN HELDOUT' "$repo/$file" && held_files=$((held_files + 1))
done < <(cd "$repo" && git ls-files -z -- '*.cpp' '*.h')
count="$(cut -f2 "$regions" | cut -d: -f1 | sort -u | wc -l)"

[[ -n "$solved" ]] || ((count > 0)) || die "no solution regions found in $repo"

# A stubbed region leaves its function's arguments, the helpers only it calls and the captures
# of its lambda unused until the student writes it. Those warnings are off in the copy only, so
# that pelab's own sources need no [[maybe_unused]] for the kit's sake.
relax='# The student copy (make-student-copy.sh): a stubbed region leaves arguments and helpers unused.
add_compile_options(-Wno-unused-parameter -Wno-unused-but-set-parameter -Wno-unused-function
                    -Wno-unused-variable -Wno-unused-but-set-variable)'
grep -qx 'add_compile_options(-Wall -Wextra)' "$dest/CMakeLists.txt" ||
  die "CMakeLists.txt has no line 'add_compile_options(-Wall -Wextra)' to relax the warnings after"
awk -v relax="$relax" '{ print } $0 == "add_compile_options(-Wall -Wextra)" { print relax }' \
  "$repo/CMakeLists.txt" >"$dest/CMakeLists.txt"
printf 'student copy in %s: %d regions stubbed in %d files; held-out parts removed from %d files\n' \
  "$dest" "$(wc -l <"$regions")" "$count" "$held_files"
sort -s -k1,1 "$regions" | sed 's/^/  /'
