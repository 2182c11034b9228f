#!/usr/bin/python3
"""Tests of docs/assignments/check_experiment.py, the automated checks of experiments E1 and E2.

Synthetic run files (the objects the checker reads: /config, the status, /eval) for copy with
no positional encoding at 1, 2 and 4 layers (E1) and with rope and alibi (E2), write-ups whose
tables hold their numbers, and the ways a submission can fall short: a missing run, another
setting, a model that did not learn, a table whose numbers are not the runs'.
"""
import contextlib
import io
import os
import sys
import tempfile
import unittest

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs",
                                "assignments"))
sys.dont_write_bytecode = True
import check_experiment  # noqa: E402

SETTINGS = dict(task="copy", pe="none", d_model=32, n_heads=4, steps=4000, train_len_min=1,
                train_len_max=10, eval_len_max=30, bos=1, seed=0)


def write_run(path, n_layers, in_dist, beyond, **changes):
    lengths = np.arange(1, 31)
    with h5py.File(path, "w") as f:
        f.attrs["status"] = "completed"
        c = f.create_group("config")
        for k, v in {**SETTINGS, "n_layers": n_layers, **changes}.items():
            c.attrs[k] = v if isinstance(v, str) else np.int64(v)
        em = np.where(lengths <= 10, in_dist, beyond).astype(np.float32)
        f["eval/lengths"] = lengths.astype(np.int32)
        f["eval/exact_match"] = np.stack([em * 0.5, em])


def write_table(path, rows, first="n_layers"):
    with open(path, "w") as f:
        f.write(f"| {first} | in-dist | beyond |\n|---|---|---|\n")
        for n, a, b in rows:
            f.write(f"| {n} | {a:.2f} | {b:.2f} |\n")


class ExperimentCheckTest(unittest.TestCase):
    def run_check(self, directory, writeup):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = check_experiment.main(["E1", directory, writeup])
        return code, out.getvalue()

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="pelab-e1-")
        self.dir = self.tmp.name
        self.values = {1: (0.30, 0.0), 2: (0.95, 0.02), 4: (1.0, 0.10)}
        for n, (a, b) in self.values.items():
            write_run(os.path.join(self.dir, f"n{n}.h5"), n, a, b)
        self.writeup = os.path.join(self.dir, "e1.md")
        write_table(self.writeup, [(n, a, b) for n, (a, b) in self.values.items()])

    def tearDown(self):
        self.tmp.cleanup()

    def test_a_complete_submission_gets_every_point(self):
        code, out = self.run_check(self.dir, self.writeup)
        self.assertEqual(code, 0, out)
        self.assertIn("10 of 10 points", out)

    def test_a_missing_run_costs_the_runs_settings_and_table(self):
        os.remove(os.path.join(self.dir, "n2.h5"))
        code, out = self.run_check(self.dir, self.writeup)
        self.assertEqual(code, 1)
        self.assertIn("missing or unfinished: 2", out)
        self.assertIn("2 of 10 points", out)  # only "learned" stands

    def test_another_setting_is_named(self):
        write_run(os.path.join(self.dir, "n1.h5"), 1, 0.30, 0.0, steps=1000)
        code, out = self.run_check(self.dir, self.writeup)
        self.assertEqual(code, 1)
        self.assertIn("steps is 1000, asked 4000", out)

    def test_a_deep_model_that_did_not_learn_is_caught(self):
        write_run(os.path.join(self.dir, "n4.h5"), 4, 0.90, 0.0)
        write_table(self.writeup, [(1, 0.30, 0.0), (2, 0.95, 0.02), (4, 0.90, 0.0)])
        code, out = self.run_check(self.dir, self.writeup)
        self.assertEqual(code, 1)
        self.assertIn("4: 0.900", out)
        self.assertIn("8 of 10 points", out)

    def test_a_table_not_filled_from_the_runs_is_caught(self):
        write_table(self.writeup, [(1, 0.30, 0.0), (2, 1.00, 0.02), (4, 1.0, 0.10)])
        code, out = self.run_check(self.dir, self.writeup)
        self.assertEqual(code, 1)
        self.assertIn("n_layers = 2: the table has [1.0, 0.02]", out)
        self.assertIn("6 of 10 points", out)


class RopeAlibiCheckTest(unittest.TestCase):
    """E2: the runs vary the encoding, a string; E1's runs beside them do not count."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="pelab-e2-")
        self.dir = self.tmp.name
        for pe, a, b in (("rope", 1.0, 0.02), ("alibi", 1.0, 0.45)):
            write_run(os.path.join(self.dir, f"{pe}.h5"), 4, a, b, pe=pe)
        write_run(os.path.join(self.dir, "nope.h5"), 4, 1.0, 0.30)  # an E1 run: pe none
        self.writeup = os.path.join(self.dir, "e2.md")
        write_table(self.writeup, [("`rope`", 1.0, 0.02), ("alibi", 1.0, 0.45)], first="pe")

    def tearDown(self):
        self.tmp.cleanup()

    def run_check(self):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = check_experiment.main(["E2", self.dir, self.writeup])
        return code, out.getvalue()

    def test_a_complete_submission_gets_every_point(self):
        code, out = self.run_check()
        self.assertEqual(code, 0, out)
        self.assertIn("10 of 10 points", out)

    def test_both_encodings_must_learn(self):
        write_run(os.path.join(self.dir, "alibi.h5"), 4, 0.97, 0.45, pe="alibi")
        write_table(self.writeup, [("rope", 1.0, 0.02), ("alibi", 0.97, 0.45)], first="pe")
        code, out = self.run_check()
        self.assertEqual(code, 1)
        self.assertIn("alibi: 0.970", out)
        self.assertIn("8 of 10 points", out)

    def test_a_missing_encoding_is_named(self):
        os.remove(os.path.join(self.dir, "alibi.h5"))
        code, out = self.run_check()
        self.assertEqual(code, 1)
        self.assertIn("missing or unfinished: alibi", out)


if __name__ == "__main__":
    unittest.main()
