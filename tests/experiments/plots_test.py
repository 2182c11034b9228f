#!/usr/bin/python3
"""Tests of experiments/plots.py (with plot_runs.py and plot_encodings.py), the figures of
`pelab report --plots`.

The test writes small synthetic run files with h5py (the layout of docs/run-file.md, only the
objects the figures read), plus a corrupt file, a file without /eval and an unfinished save
(`*.tmp`). It then runs plots.py's main on them and checks that every expected figure was
written, that the bad files were skipped with a message, and that encodings are labelled and
computed as pelab does. plot_runs.py asks pelab (`pelab options`, the binary named by
PELAB_BINARY, which ctest sets) for the encodings' order and the options' defaults;
PelabFactsTest writes one run file with that binary to check what the scripts read from it.

Run it from anywhere:

  PELAB_BINARY=build/pelab /usr/bin/python3 tests/experiments/plots_test.py
"""

import contextlib
import io
import os
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "experiments"))
import plot_encodings  # noqa: E402
import plot_runs  # noqa: E402
import plot_scores  # noqa: E402
import plots  # noqa: E402


def write_run(path, task, pe, seed, random_positions=0, rope_scaling="none", attention=False,
              train_len_max=4, lengths=(1, 2, 3, 4, 5, 6, 7, 8), evaluations=2, query_map=None):
    """A run file with /config, /train and two evaluations (or fewer); /attention/layer0 if asked.

    With evaluations=0 it is a run read before its first evaluation: /eval/step of shape (0)
    and /eval/exact_match of shape (0, K).
    """
    rng = np.random.default_rng(seed)
    with h5py.File(path, "w") as f:
        f.attrs["status"] = "completed"
        config = f.create_group("config")
        config.attrs["task"] = task
        config.attrs["pe"] = pe
        config.attrs["seed"] = np.int64(seed)
        config.attrs["train_len_max"] = np.int64(train_len_max)
        config.attrs["random_positions"] = np.int64(random_positions)
        if rope_scaling is not None:
            config.attrs["rope_scaling"] = rope_scaling
        train = f.create_group("train")
        steps = np.arange(10, 101, 10, dtype=np.float32)
        train["step"] = steps
        train["loss"] = (2.5 * np.exp(-steps / 40) + 0.05 * rng.random(len(steps))).astype(
            np.float32)
        ev = f.create_group("eval")
        ev["step"] = np.array([50, 100][2 - evaluations:], dtype=np.float32)
        ev["lengths"] = np.array(lengths, dtype=np.int32)
        # Good up to train_len_max, falling beyond; the second evaluation better than the first.
        falloff = np.clip(1.0 - 0.3 * (np.array(lengths) - train_len_max), 0, 1)
        scores = np.stack([0.5 * falloff, falloff])[2 - evaluations:]
        ev["exact_match"] = scores.reshape(evaluations, len(lengths)).astype(np.float32)
        if query_map is not None:  # select's (K, I) map, I = the longest length
            ev["query_lengths"] = np.array(lengths, dtype=np.int32)
            ev["query_exact_match"] = np.asarray(query_map, dtype=np.float32)
        if attention:
            group = f.create_group("attention")
            group["tokens"] = rng.integers(0, 10, size=(4, 5)).astype(np.int32)
            scores = np.tril(rng.random((4, 2, 5, 5))) + 1e-3
            scores = np.tril(scores)
            group["layer0"] = (scores / scores.sum(-1, keepdims=True)).astype(np.float32)


class PlotsTest(unittest.TestCase):
    """plots.py's main on a directory of synthetic runs, run once for all the checks."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="plots_test_")
        cls.dir = cls.tmp.name
        cls.out = os.path.join(cls.dir, "figures")
        d = cls.dir
        write_run(os.path.join(d, "copy_rope_s0.h5"), "copy", "rope", 0)
        write_run(os.path.join(d, "copy_rope_s1.h5"), "copy", "rope", 1)
        write_run(os.path.join(d, "copy_none_s0.h5"), "copy", "none", 0)
        write_run(os.path.join(d, "copy_rope_rand_s0.h5"), "copy", "rope", 0,
                  random_positions=16)
        write_run(os.path.join(d, "copy_rope_yarn_s0.h5"), "copy", "rope", 0,
                  rope_scaling="yarn", lengths=(2, 4, 6, 8, 10))
        write_run(os.path.join(d, "reverse_alibi_s0.h5"), "reverse", "alibi", 0,
                  rope_scaling=None, attention=True)
        write_run(os.path.join(d, "sort_rope_s0.h5"), "sort", "rope", 0, evaluations=0)
        # select with its map: right at k < 2 only, NaN past each length (k >= n)
        lengths = (1, 2, 3, 4, 5, 6)
        cls.select_map = np.array([[1.0 if k < 2 else 0.0 for k in range(6)] for _ in lengths])
        for i, n in enumerate(lengths):
            cls.select_map[i, n:] = np.nan
        for seed in (0, 1):
            write_run(os.path.join(d, f"select_learned_s{seed}.h5"), "select", "learned", seed,
                      lengths=lengths, query_map=cls.select_map)
        with open(os.path.join(d, "bad.h5"), "w") as f:
            f.write("junk\n")
        with h5py.File(os.path.join(d, "no_eval.h5"), "w") as f:
            f.create_group("config").attrs["task"] = "copy"
        with open(os.path.join(d, "copy_rope_s0.h5.tmp"), "w") as f:
            f.write("an unfinished save\n")

        stdout, stderr = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            cls.status = plots.main([d, "--out", cls.out,
                                     "--attention", "reverse_alibi_s0", "copy_none_s0"])
        cls.stdout, cls.stderr = stdout.getvalue(), stderr.getvalue()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_exit_status(self):
        self.assertEqual(self.status, 0, self.stderr)

    def test_figures_written(self):
        stems = ["exact_match_copy", "exact_match_reverse", "training_copy",
                 "training_reverse", "training_sort", "attention_reverse_alibi_s0",
                 "encodings", "exact_match_select", "training_select", "query_map_select"]
        for stem in stems:
            for fmt in ("png", "svg"):
                path = os.path.join(self.out, f"{stem}.{fmt}")
                self.assertTrue(os.path.isfile(path), path)
                self.assertGreater(os.path.getsize(path), 0, path)
                self.assertIn(f"wrote {path}\n", self.stdout)
        self.assertEqual(sorted(os.listdir(self.out)),
                         sorted(f"{stem}.{fmt}" for stem in stems for fmt in ("png", "svg")))

    def test_query_map_only_for_runs_with_one(self):
        # copy, reverse and sort runs have no map: no query_map figure of theirs
        self.assertFalse(os.path.exists(os.path.join(self.out, "query_map_copy.png")))
        with contextlib.redirect_stderr(io.StringIO()):
            all_runs = plot_runs.read_runs(self.dir)
        runs = [r for r in all_runs if r.task == "select"]
        self.assertEqual(len(runs), 2)
        np.testing.assert_array_equal(runs[0].query_exact_match, self.select_map)
        fig = plots.plot_query_map("select", runs)
        image = fig.axes[0].images[0].get_array()
        # the mean of the two seeds, transposed: y is the queried index
        np.testing.assert_array_equal(np.ma.filled(image, np.nan), self.select_map.T)
        self.assertIn("2 seeds", fig.axes[0].get_title())
        self.assertIsNone(plots.plot_query_map("copy", [r for r in all_runs if r.task == "copy"]))

    def test_png_signature(self):
        with open(os.path.join(self.out, "exact_match_copy.png"), "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")

    def test_bad_files_skipped_with_a_message(self):
        bad = os.path.join(self.dir, "bad.h5")
        no_eval = os.path.join(self.dir, "no_eval.h5")
        self.assertIn(f"plots.py: skipping {bad}: ", self.stderr)
        self.assertIn(f"plots.py: skipping {no_eval}: no /eval group", self.stderr)
        self.assertNotIn(".tmp", self.stderr)
        skipped = [line for line in self.stderr.splitlines() if "skipping" in line]
        self.assertEqual(len(skipped), 2, self.stderr)

    def test_run_before_its_first_evaluation(self):
        self.assertIn("no evaluation yet for task sort", self.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.out, "exact_match_sort.png")))

    def test_run_without_attention_is_reported(self):
        self.assertIn("no attention figure for copy_none_s0", self.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.out, "attention_copy_none_s0.png")))

    def test_read_runs(self):
        with contextlib.redirect_stderr(io.StringIO()):
            runs = plot_runs.read_runs(self.dir)
        self.assertEqual(sorted(run.name for run in runs),
                         ["copy_none_s0", "copy_rope_rand_s0", "copy_rope_s0", "copy_rope_s1",
                          "copy_rope_yarn_s0", "reverse_alibi_s0", "select_learned_s0",
                          "select_learned_s1", "sort_rope_s0"])
        run = next(run for run in runs if run.name == "copy_rope_s0")
        self.assertEqual(run.task, "copy")
        self.assertEqual(run.train_len_max, 4)
        self.assertEqual(run.exact_match.shape, (2, 8))
        # Lengths 1..4 are in distribution: the mean of the falloff there is 1, then 0.5.
        np.testing.assert_allclose(plots.in_distribution_exact_match(run), [0.5, 1.0])

    def test_only_requested_formats(self):
        out = os.path.join(self.dir, "png_only")
        with contextlib.redirect_stdout(io.StringIO()), \
                contextlib.redirect_stderr(io.StringIO()):
            plots.main([self.dir, "--out", out, "--formats", "png", "--no-encodings"])
        self.assertEqual(sorted(os.listdir(out)),
                         ["exact_match_copy.png", "exact_match_reverse.png",
                          "exact_match_select.png", "query_map_select.png", "training_copy.png",
                          "training_reverse.png", "training_select.png", "training_sort.png"])


class LabelTest(unittest.TestCase):
    """The encoding label of a run's /config, its legend order and its colour."""

    def test_labels(self):
        label = plot_runs.encoding_label
        self.assertEqual(label({"pe": "rope", "random_positions": 64, "rope_scaling": "none"}),
                         "rope+rand")
        self.assertEqual(label({"pe": "rope", "random_positions": 0, "rope_scaling": "yarn"}),
                         "rope+yarn")
        self.assertEqual(label({"pe": "alibi", "random_positions": 0, "rope_scaling": "none"}),
                         "alibi")
        self.assertEqual(label({"pe": "alibi", "random_positions": 0}), "alibi")
        self.assertEqual(label({"pe": "learned", "position_ids": b"coupled"}), "learned+coupled")
        self.assertEqual(label({"pe": "rope", "index_hints": np.int64(1)}), "rope+hints")
        # positions a task assigns: the encoding's colour, a line style of their own
        self.assertEqual(plot_runs.label_colour("rope+coupled"), plot_runs.label_colour("rope"))
        self.assertEqual(plot_runs.label_linestyle("rope"), "-")
        self.assertEqual(plot_runs.label_linestyle("rope+coupled"), "--")
        self.assertEqual(plot_runs.label_linestyle("learned+digit"), ":")
        self.assertEqual(label({"pe": b"rope", "random_positions": np.int64(0),
                                "rope_scaling": b"pi"}), "rope+pi")

    def test_order(self):
        labels = ["zeta", "alibi", "rope+yarn", "none", "rope", "rope+rand", "abc", "t5"]
        self.assertEqual(sorted(labels, key=plot_runs.label_sort_key),
                         ["none", "rope", "rope+rand", "rope+yarn", "alibi", "t5", "abc",
                          "zeta"])

    def test_settings_other_than_the_seed_join_the_label(self):
        def run(seed, n_layers, pe="none"):
            config = {"task": "copy", "pe": pe, "seed": seed, "n_layers": n_layers}
            return plot_runs.Run("r", "r.h5", config, pe, 5, *([np.zeros(0)] * 5))
        runs = [run(0, 2), run(1, 2), run(0, 4), run(0, 4, "rope")]
        plot_runs.distinguish_settings(runs)
        self.assertEqual([r.label for r in runs],
                         ["none (n_layers=2)", "none (n_layers=2)", "none (n_layers=4)", "rope"])
        self.assertEqual(sorted(["rope", "none (n_layers=4)"], key=plot_runs.label_sort_key),
                         ["none (n_layers=4)", "rope"])

    def test_options_missing_from_older_files_read_as_their_defaults(self):
        with tempfile.TemporaryDirectory() as directory:
            for seed, bos in ((0, None), (1, 0), (2, 1)):
                path = os.path.join(directory, f"run{seed}.h5")
                write_run(path, "copy", "none", seed)
                if bos is not None:  # None: a file from before the option existed
                    with h5py.File(path, "a") as f:
                        f["config"].attrs["bos"] = np.int64(bos)
            runs = plot_runs.read_runs(directory)
        self.assertEqual([r.label for r in runs], ["none (bos=0)", "none (bos=0)",
                                                   "none (bos=1)"])

    def test_colours_are_fixed(self):
        self.assertEqual(plot_runs.label_colour("rope"), plot_runs.LABEL_COLOURS["rope"])
        self.assertEqual(plot_runs.label_colour("xpos+rand"), plot_runs.label_colour("xpos+rand"))
        self.assertEqual(len(set(plot_runs.LABEL_COLOURS.values())), len(plot_runs.LABEL_COLOURS))


class PelabFactsTest(unittest.TestCase):
    """plot_runs.py keeps no copy of pelab's facts: it reads the encodings' order and every
    option's default from `pelab options`. A run file written by the pelab under test with its
    options at their defaults shows that those defaults are the ones /config records, and that a
    file without an option (one written before the option existed) is read with its default.
    ctest sets PELAB_BINARY; run directly, the test needs it too."""

    SET = {"out", "task", "steps", "d_model", "n_heads", "n_layers", "threads", "train_len_max",
           "eval_len_max", "eval_examples", "vocab_size"}

    def test_defaults_are_what_pelab_writes_and_fill_an_old_file(self):
        binary = os.environ.get("PELAB_BINARY")
        self.assertTrue(binary, "set PELAB_BINARY to the pelab binary under test")
        defaults = plot_runs.option_defaults()
        with tempfile.TemporaryDirectory(prefix="pelab-facts-") as directory:
            path = os.path.join(directory, "run.h5")
            done = subprocess.run(
                [binary, "train", "--out", path, "--task", "copy", "--steps", "1", "--d-model",
                 "16", "--n-heads", "2", "--n-layers", "1", "--threads", "1",
                 "--train-len-max", "4", "--eval-len-max", "4", "--eval-examples", "4"],
                capture_output=True, text=True, check=False)
            self.assertEqual(done.returncode, 0, done.stderr)
            with h5py.File(path, "r") as f:
                config = {key: plot_runs._decode(value)
                          for key, value in f["config"].attrs.items()}
            self.assertEqual(set(config), set(defaults))
            for key in set(config) - self.SET:
                self.assertEqual(config[key], defaults[key], key)
            with h5py.File(path, "r+") as f:  # as if written before these options existed
                del f["config"].attrs["position_ids"]
                del f["config"].attrs["bos"]
            run = plot_runs.read_run(path)
        self.assertEqual(run.config["position_ids"], "sequential")
        self.assertEqual(run.config["bos"], 0)
        self.assertEqual(run.label, "rope")

    def test_labels_sort_as_the_report_sorts_its_rows(self):
        encodings = plot_runs.pelab_facts()["encodings"]
        self.assertEqual(encodings[:2], ["none", "integer"])
        labels = ["zeta", "rope+coupled", "alibi", "rope+pi", "rope", "rope+rand",
                  "none (n_layers=4)", "none"]
        self.assertEqual(sorted(labels, key=plot_runs.label_sort_key),
                         ["none", "none (n_layers=4)", "rope", "rope+rand", "rope+pi",
                          "rope+coupled", "alibi", "zeta"])


class ScoresTest(unittest.TestCase):
    """plot_scores.py splits layer 0's scores into token-token, token-position, position-token
    and position-position terms. With the LayerNorm bias and the query and key biases at zero,
    the four terms are the whole score: checked on a run file pelab writes, under add and under
    concat (where the token embedding is narrower and the positions sit in their own block)."""

    def scores_of(self, path, combine):
        cfg, params, tokens = plot_scores.load(path)
        self.assertEqual(cfg["concat"], combine == "concat")
        D, H = cfg["d_model"], cfg["n_heads"]
        params["blocks.0.ln1.bias"][:] = 0.0
        params["blocks.0.attn.qkv.bias"][:] = 0.0
        terms = plot_scores.score_terms(cfg, params, tokens, 0)
        # the whole score, computed the plain way
        e = params["tok_emb.weight"][tokens]
        P = plot_scores.position_vectors(cfg, params, len(tokens))
        x = np.concatenate([e, P], axis=1) if cfg["concat"] else e + P
        ln = (x - x.mean(axis=1, keepdims=True)) / np.sqrt(x.var(axis=1, keepdims=True) + 1e-5)
        a = ln * params["blocks.0.ln1.weight"]
        W = params["blocks.0.attn.qkv.weight"]
        q = (a @ W[:D].T).reshape(len(tokens), H, -1).transpose(1, 0, 2)
        k = (a @ W[D:2 * D].T).reshape(len(tokens), H, -1).transpose(1, 0, 2)
        S = q @ k.transpose(0, 2, 1) / np.sqrt(D // H)
        total = sum(terms[name] for name, _ in plot_scores.TERMS)
        causal = np.tril(np.ones(S.shape[1:], dtype=bool))
        np.testing.assert_allclose(total[:, causal], S[:, causal], rtol=1e-9, atol=1e-9)
        return terms

    def test_the_four_terms_are_the_score(self):
        binary = os.environ.get("PELAB_BINARY")
        self.assertTrue(binary, "set PELAB_BINARY to the pelab binary under test")
        with tempfile.TemporaryDirectory(prefix="pelab-scores-") as directory:
            for pe, combine in [("sinusoidal", "add"), ("sinusoidal", "concat"),
                                ("learned", "concat")]:
                path = os.path.join(directory, f"{pe}-{combine}.h5")
                done = subprocess.run(
                    [binary, "train", "--out", path, "--task", "copy", "--steps", "2",
                     "--d-model", "16", "--n-heads", "2", "--n-layers", "1", "--threads", "1",
                     "--train-len-max", "4", "--eval-len-max", "4", "--eval-examples", "4",
                     "--pe", pe, "--pe-combine", combine, "--pe-dim", "6"],
                    capture_output=True, text=True, check=False)
                self.assertEqual(done.returncode, 0, done.stderr)
                self.scores_of(path, combine)
            out = os.path.join(directory, "scores.png")
            with contextlib.redirect_stdout(io.StringIO()):
                plot_scores.main([os.path.join(directory, "sinusoidal-add.h5"),
                                  os.path.join(directory, "sinusoidal-concat.h5"), "--out", out])
            self.assertTrue(os.path.getsize(out) > 0)


class AxialRopeTest(unittest.TestCase):
    """The axial figure's angles are rope-axial's (models/encodings/rope_axial.cpp): axis a turns
    its block of pairs by its coordinate, on a ladder over head_dim / A dimensions."""

    def test_each_axis_turns_its_own_pairs_by_its_own_coordinate(self):
        angles = plot_encodings.axial_rope_angles((3, 4), head_dim=8)  # 4 pairs, 2 per axis
        self.assertEqual(angles.shape, (12, 4))
        # token 6 is row 1, column 2; each ladder over 4 dimensions: 1, 10000^(-1/2)
        np.testing.assert_allclose(angles[6], [1.0, 0.01, 2.0, 0.02])
        angles = plot_encodings.axial_rope_angles((2, 2, 2), head_dim=6)  # one pair per axis
        np.testing.assert_allclose(angles[5], [1.0, 0.0, 1.0])  # cell (1, 0, 1)


class EncodingTest(unittest.TestCase):
    """The closed forms drawn in encodings.png, against pelab's formulas."""

    def test_integer(self):
        table = plot_encodings.integer_encoding(np.arange(4), 4)
        np.testing.assert_array_equal(table[3], [3, -3, 3, -3])

    def test_binary(self):
        table = plot_encodings.binary_encoding(np.array([5, 8]), 6)
        np.testing.assert_array_equal(table, [[1, 0, 1, 0, 0, 0], [0, 0, 0, 1, 0, 0]])
        self.assertTrue((plot_encodings.binary_encoding(np.array([2**31 - 1]), 40)[0, 32:] == 0).all())

    def test_sinusoidal(self):
        d = 16
        table = plot_encodings.sinusoidal_encoding(np.arange(64), d)
        for p in (0, 1, 37):
            for i in range(d // 2):
                angle = p / 10000 ** (2 * i / d)
                self.assertAlmostEqual(table[p, 2 * i], np.sin(angle), places=5)
                self.assertAlmostEqual(table[p, 2 * i + 1], np.cos(angle), places=5)

    def test_rope_frequencies(self):
        np.testing.assert_allclose(plot_encodings.rope_frequencies(16)[[0, 2, 4]], [1.0, 0.1, 0.01])


if __name__ == "__main__":
    unittest.main()
