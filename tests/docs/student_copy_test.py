#!/usr/bin/python3
"""docs/assignments/make-student-copy.sh: its options and its refusals.

The whole kit (a copy that builds, every suite failing in it, the prerequisites) is checked by
check-kit.sh, as is the absence of the held-out tests; here, the quick part: --solved keeps the named regions and stubs the others, and
bad input (an unknown region name, a malformed list, a destination that is not empty) gets one
line naming what was wrong, exit 1, and no copy.
"""
import os
import subprocess
import tempfile
import unittest

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SCRIPT = os.path.join(ROOT, "docs", "assignments", "make-student-copy.sh")


def make_copy(*args):
    return subprocess.run(["bash", SCRIPT, *args], capture_output=True, text=True)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


class StudentCopyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.path.exists(os.path.join(ROOT, ".git")):
            # A student copy is not a git repository, and the script makes copies of one.
            raise unittest.SkipTest("not a git repository (a student copy)")

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="pelab-copy-")
        self.dest = os.path.join(self.tmp.name, "copy")

    def tearDown(self):
        self.tmp.cleanup()

    def test_solved_regions_keep_their_solution_the_others_are_stubbed(self):
        r = make_copy(self.dest, "--solved", "engine,training")
        self.assertEqual(r.returncode, 0, r.stderr)
        engine = read(os.path.join(self.dest, "autograd", "variable.cpp"))
        self.assertIn("// BEGIN SOLUTION engine", engine)
        self.assertNotIn("not implemented: engine", engine)
        self.assertEqual(engine, read(os.path.join(ROOT, "autograd", "variable.cpp")))
        gradcheck = read(os.path.join(self.dest, "autograd", "gradcheck.cpp"))
        self.assertIn('throw std::logic_error("not implemented: gradcheck");', gradcheck)
        # The list printed names the stubbed regions only.
        self.assertIn("gradcheck\tautograd/gradcheck.cpp", r.stdout)
        self.assertNotIn("engine\t", r.stdout)
        self.assertNotIn("training\t", r.stdout)

    def test_an_unknown_region_is_refused_before_anything_is_copied(self):
        r = make_copy(self.dest, "--solved", "engine,rotary")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stderr.strip(),
                         "make-student-copy.sh: --solved: no solution region is named 'rotary'")
        self.assertFalse(os.path.exists(self.dest))

    def test_a_malformed_list_is_refused(self):
        r = make_copy(self.dest, "--solved", "engine;rm")
        self.assertEqual(r.returncode, 1)
        self.assertIn("--solved takes region names separated by commas, got 'engine;rm'",
                      r.stderr)
        self.assertFalse(os.path.exists(self.dest))

    def test_a_destination_that_is_not_empty_is_refused(self):
        os.makedirs(self.dest)
        with open(os.path.join(self.dest, "notes.txt"), "w") as f:
            f.write("mine\n")
        r = make_copy(self.dest)
        self.assertEqual(r.returncode, 1)
        self.assertIn("exists and is not an empty directory", r.stderr)
        self.assertEqual(os.listdir(self.dest), ["notes.txt"])

    def test_usage(self):
        self.assertEqual(make_copy().returncode, 2)
        self.assertEqual(make_copy(self.dest, "--solved").returncode, 2)


if __name__ == "__main__":
    unittest.main()
