#!/usr/bin/python3
"""Reading pelab's run files for the figures, and naming and colouring their encodings.

plots.py draws; this module reads what it draws from. A run file (docs/run-file.md) becomes a
Run: its /config, its evaluations (/eval) and its training loss (/train). An encoding's label
is the run's `pe`, plus "+rand" with randomized positions and "+<method>" with RoPE scaling
(e.g. "rope+yarn"), as `pelab report` labels it; each label keeps one colour in every figure.
Runs of one task and label that differ in more than their seed get the differing options in
their labels, so they are not drawn as seeds of one experiment.
"""

import functools
import json
import os
import shutil
import subprocess
import sys
import zlib
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence

import h5py
import numpy as np

PROG = "plots.py"  # the program the messages come from


# One colour per label, the same in every figure: a palette, not a list of the encodings (an
# encoding not named here gets a colour of EXTRA_COLOURS). Related schemes get related hues: the
# additive tables warm browns and yellows, RoPE and its variants blues and purples, the
# biases reds and oranges.
LABEL_COLOURS = {
    "none": "#4d4d4d",
    "integer": "#8c564b",
    "normalized": "#c49c94",
    "binary": "#bcbd22",
    "sinusoidal": "#17becf",
    "learned": "#e377c2",
    "rope": "#1f77b4",
    "rope+rand": "#6baed6",
    "rope+pi": "#9467bd",
    "rope+ntk": "#b5a0d8",
    "rope+yarn": "#393b79",
    "rope+pi-dynamic": "#c5b0d5",
    "rope+ntk-dynamic": "#7b4173",
    "rope+yarn-dynamic": "#5254a3",
    "xpos": "#2ca02c",
    "alibi": "#ff7f0e",
    "t5": "#d62728",
    "fire": "#e7ba52",
    "rope2d": "#98df8a",
}

# Colours for labels outside LABEL_COLOURS (e.g. "xpos+rand"), picked by a checksum of the
# label so that a label keeps its colour from one report to the next.
EXTRA_COLOURS = ["#637939", "#843c39", "#7b4173", "#3182bd", "#e6550d", "#31a354",
                 "#756bb1", "#636363", "#ad494a", "#8ca252"]

# ---------------------------------------------------------------------------------------------
# What pelab knows: its encodings, in the order of its registry, and its options' defaults


def pelab_binary() -> Optional[str]:
    """The pelab to ask: $PELAB_BINARY (`pelab report --plots` sets it to itself), else build/pelab
    of the source tree this script is in, else `pelab` on the PATH; None when there is none."""
    env = os.environ.get("PELAB_BINARY")
    if env:
        return env
    beside = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build", "pelab")
    if os.access(beside, os.X_OK):
        return beside
    return shutil.which("pelab")


@functools.lru_cache(maxsize=None)
def pelab_facts() -> dict:
    """`pelab options`: {"encodings": [...], "variants": [...], "tasks": [...], "defaults": {...}}.
    Without a pelab to ask, {} with a note on stderr: legends then sort A-Z and an option missing
    from an old run file stays missing (its runs may then be drawn apart from newer seeds)."""
    binary = pelab_binary()
    if binary is None:
        print(f"{PROG}: no pelab found (set PELAB_BINARY, or build it: ./setup.sh build); "
              "legends are sorted A-Z", file=sys.stderr)
        return {}
    done = subprocess.run([binary, "options"], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        print(f"{PROG}: `{binary} options` failed: {done.stderr.strip()}", file=sys.stderr)
        return {}
    return json.loads(done.stdout)


def option_defaults() -> Dict[str, object]:
    """Every option's default as a run file's /config records it. A file written before an
    option existed lacks it and was run with its default, so reading it as the default (as
    `pelab report` does, experiments/run/option_table.h) keeps those runs seeds of the same line
    as the newer ones."""
    return dict(pelab_facts().get("defaults", {}))


# ---------------------------------------------------------------------------------------------
# Reading run files


@dataclass
class Run:
    """What the figures need from one run file, read into memory (the file is closed after)."""

    name: str                    # the file name without .h5
    path: str
    config: dict                 # the /config attributes, strings decoded
    label: str                   # encoding_label(config)
    train_len_max: int
    eval_step: np.ndarray        # (E,)
    lengths: np.ndarray          # (K,)
    exact_match: np.ndarray      # (E, K)
    train_step: np.ndarray       # (N,), empty if the file has no /train
    train_loss: np.ndarray       # (N,)
    # select: exact match by (length, queried index) at the last evaluation (None without)
    query_lengths: Optional[np.ndarray] = None      # (K,)
    query_exact_match: Optional[np.ndarray] = None  # (K, I), NaN where no example

    @property
    def task(self) -> str:
        return str(self.config.get("task", "unknown"))



def _decode(value):
    """An attribute as Python sees it: HDF5 strings may come back as bytes."""
    if isinstance(value, (bytes, np.bytes_)):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, np.generic):
        return value.item()
    return value


def encoding_label(config: dict) -> str:
    """The label of a run's encoding: `pe`, "+rand" with randomized positions, "+<scaling>",
    "+coupled" / "+digit" with task-assigned ids, "+hints" with index hints (as pelab report).

    >>> encoding_label({"pe": "rope", "random_positions": 64, "rope_scaling": "none"})
    'rope+rand'
    """
    label = str(_decode(config.get("pe", "unknown")))
    random_positions = _decode(config.get("random_positions", 0))
    if random_positions is not None and float(random_positions) > 0:
        label += "+rand"
    scaling = _decode(config.get("rope_scaling"))
    if scaling is not None and str(scaling) not in ("", "none"):
        label += "+" + str(scaling)
    position_ids = str(_decode(config.get("position_ids", "sequential")))
    if position_ids != "sequential":
        label += "+" + position_ids
    if int(_decode(config.get("index_hints", 0)) or 0):
        label += "+hints"
    return label


def label_sort_key(label: str):
    """Sort key of a label as `pelab report` orders its rows: its encoding's place in pelab's
    registry, then its variant ("", "+rand", the RoPE scaling methods, then others), then A-Z;
    encodings pelab does not know after those it knows (a label with settings,
    "none (n_layers=4)", sorts with its encoding)."""
    facts = pelab_facts()
    encodings, variants = facts.get("encodings", []), facts.get("variants", [])
    base = label.split(" ", 1)[0]
    pe = base.split("+", 1)[0]
    variant = base[len(pe):]
    scheme = encodings.index(pe) if pe in encodings else len(encodings)
    rank = variants.index(variant) if variant in variants else len(variants)
    return (scheme, rank, label)


# Positions a task assigns keep their encoding's colour and get a line style of their own.
POSITION_SUFFIXES = {"+coupled": "--", "+digit": ":", "+hints": "-."}


def _without_position_suffix(label: str) -> str:
    for suffix in POSITION_SUFFIXES:
        label = label.replace(suffix, "")
    return label


def label_colour(label: str) -> str:
    """The colour of a label, fixed across figures and reports ("rope+coupled" is rope's)."""
    base = _without_position_suffix(label)
    if base in LABEL_COLOURS:
        return LABEL_COLOURS[base]
    return EXTRA_COLOURS[zlib.crc32(base.encode("utf-8")) % len(EXTRA_COLOURS)]


def label_linestyle(label: str) -> str:
    """Solid for positions 0..T-1; dashed, dotted or dash-dot for coupled, digit or hints."""
    for suffix, style in POSITION_SUFFIXES.items():
        if suffix in label:
            return style
    return "-"


def read_run(path: str) -> Run:
    """Read one run file. Raises OSError (not HDF5), KeyError (missing object) or ValueError."""
    with h5py.File(path, "r") as f:
        for group in ("config", "eval"):
            if group not in f:
                raise KeyError(f"no /{group} group")
        config = option_defaults()
        config.update({key: _decode(value) for key, value in f["config"].attrs.items()})
        for key in ("task", "pe", "train_len_max"):
            if key not in config:
                raise KeyError(f"/config has no attribute {key}")
        ev = f["eval"]
        for name in ("step", "lengths", "exact_match"):
            if name not in ev:
                raise KeyError(f"no /eval/{name}")
        eval_step = np.asarray(ev["step"][:], dtype=np.float64)
        lengths = np.asarray(ev["lengths"][:], dtype=np.int64)
        exact_match = np.asarray(ev["exact_match"][:], dtype=np.float64).reshape(
            len(eval_step), len(lengths))
        if "train" in f and "step" in f["train"] and "loss" in f["train"]:
            train_step = np.asarray(f["train/step"][:], dtype=np.float64)
            train_loss = np.asarray(f["train/loss"][:], dtype=np.float64)
        else:
            train_step = train_loss = np.zeros(0)
        query_lengths = query_exact_match = None
        if "query_exact_match" in ev and "query_lengths" in ev:
            query_lengths = np.asarray(ev["query_lengths"][:], dtype=np.int64)
            query_exact_match = np.asarray(ev["query_exact_match"][:], dtype=np.float64)
    name = os.path.basename(path)
    if name.endswith(".h5"):
        name = name[: -len(".h5")]
    return Run(name, path, config, encoding_label(config), int(config["train_len_max"]),
               eval_step, lengths, exact_match, train_step, train_loss, query_lengths,
               query_exact_match)


def read_runs(directory: str) -> List[Run]:
    """Every readable run file directly in `directory`, sorted by name.

    A file that fails to open or lacks what the figures need is reported on stderr as
    `plots.py: skipping FILE: reason` and left out. `*.tmp` (a save in progress) is not read.
    """
    runs = []
    for entry in sorted(os.listdir(directory)):
        path = os.path.join(directory, entry)
        if not entry.endswith(".h5") or not os.path.isfile(path):
            continue
        try:
            runs.append(read_run(path))
        except Exception as error:  # a corrupt or foreign file must not stop the report
            print(f"{PROG}: skipping {path}: {error_reason(error)}", file=sys.stderr)
    distinguish_settings(runs)
    return runs


def distinguish_settings(runs: Sequence[Run]) -> None:
    """Adds to a run's label the options, other than the seed, in which it differs from runs of
    the same task and label (as `pelab report` does): "none (n_layers=4)". Runs that differ only
    in their seed keep the plain label and are drawn as one line with a band over the seeds."""
    groups: Dict[tuple, List[Run]] = {}
    for run in runs:
        groups.setdefault((run.task, run.label), []).append(run)
    for group in groups.values():
        keys = sorted({k for run in group for k in run.config} - {"seed"})
        varying = [k for k in keys if len({repr(run.config.get(k)) for run in group}) > 1]
        if varying:
            for run in group:
                run.label += " (" + ", ".join(f"{k}={run.config.get(k)}" for k in varying) + ")"


def error_reason(error: Exception) -> str:
    """The first line of an exception's message (a KeyError's without its quotes)."""
    text = str(error.args[0]) if isinstance(error, KeyError) and error.args else str(error)
    text = text.strip()
    return text.splitlines()[0] if text else type(error).__name__

