#!/usr/bin/python3
"""The figures of `pelab report DIR --plots`, drawn from the run files in DIR.

Every `*.h5` run file directly in DIR (see docs/run-file.md) is read with h5py. A file that
cannot be opened, or that has no /eval or /config, is skipped with one line on stderr; `*.tmp`
files (an unfinished save) are ignored. The figures, each written as PNG and SVG:

  exact_match_<task>   exact match of the last evaluation against the input length, one line
                       per encoding: the mean over seeds, shaded from the worst seed to the best,
                       with the longest training length marked "train max".
  training_<task>      the training loss of every run (log scale), and beside it the
                       in-distribution exact match (lengths <= train_len_max) over training.
  attention_<run>      for each --attention run: the attention maps of probe example 0, one
                       heatmap per layer (rows) and head (columns), query on y, key on x.
  encodings            the encodings from their closed forms, as pelab computes them: (a)
                       integer, (b) binary and (c) sinusoidal as position x dimension heatmaps,
                       (d) RoPE as a unit vector turned by p theta_j for a few pairs j.

An encoding's label is the run's `pe`, plus "+rand" with randomized positions and "+<method>"
with RoPE scaling (e.g. "rope+yarn"). Each label keeps one colour in every figure.

Usage (pelab report DIR --plots runs it this way, and it can be run directly):

  /usr/bin/python3 experiments/plots.py DIR [--out FIGDIR] [--attention RUN ...]
                                            [--formats png,svg] [--no-encodings]

It prints one line per file written ("wrote FIGDIR/x.png").
"""

import argparse
import os
import sys
import zlib
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence

try:
    import h5py
    import matplotlib
    import numpy as np
except ImportError as missing:  # a python3 without them: say which packages, not a traceback
    sys.exit(f"plots.py: {missing}; the figures need python3 with numpy, h5py and matplotlib "
             f"(Debian: python3-numpy python3-h5py python3-matplotlib, then run "
             f"/usr/bin/python3 {sys.argv[0]})")

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator  # noqa: E402

PROG = "plots.py"

# The order of the legends: the schemes in the order docs/encodings.md introduces them, with
# the RoPE variants after plain RoPE. Labels not listed here come after, alphabetically.
LABEL_ORDER = [
    "none", "integer", "normalized", "binary", "sinusoidal", "learned",
    "rope", "rope+rand", "rope+pi", "rope+ntk", "rope+yarn",
    "rope+pi-dynamic", "rope+ntk-dynamic", "rope+yarn-dynamic",
    "xpos", "alibi", "t5", "fire", "rope2d",
]

# One colour per label, the same in every figure. Related schemes get related hues: the
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

FIGURE_FORMATS = ("png", "svg", "pdf")


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
    """The label of a run's encoding: `pe`, "+rand" with randomized positions, "+<scaling>".

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
    return label


def label_sort_key(label: str):
    """Sort key putting the labels in LABEL_ORDER first, in that order, then the rest A-Z (a
    label with settings, "none (n_layers=4)", sorts with its encoding)."""
    base = label.split(" ", 1)[0]
    if base in LABEL_ORDER:
        return (0, LABEL_ORDER.index(base), label)
    return (1, 0, label)


def label_colour(label: str) -> str:
    """The colour of a label, fixed across figures and reports."""
    if label in LABEL_COLOURS:
        return LABEL_COLOURS[label]
    return EXTRA_COLOURS[zlib.crc32(label.encode("utf-8")) % len(EXTRA_COLOURS)]


def read_run(path: str) -> Run:
    """Read one run file. Raises OSError (not HDF5), KeyError (missing object) or ValueError."""
    with h5py.File(path, "r") as f:
        for group in ("config", "eval"):
            if group not in f:
                raise KeyError(f"no /{group} group")
        config = {key: _decode(value) for key, value in f["config"].attrs.items()}
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
    name = os.path.basename(path)
    if name.endswith(".h5"):
        name = name[: -len(".h5")]
    return Run(name, path, config, encoding_label(config), int(config["train_len_max"]),
               eval_step, lengths, exact_match, train_step, train_loss)


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


# ---------------------------------------------------------------------------------------------
# Saving


def save_figure(fig, out_dir: str, stem: str, formats: Sequence[str]) -> List[str]:
    """Write `fig` as out_dir/stem.<format> for each format, close it, print and return paths."""
    written = []
    for fmt in formats:
        path = os.path.join(out_dir, f"{stem}.{fmt}")
        # No creation date in SVG and PDF, so that redrawing the same runs gives the same file.
        metadata = {"Date": None} if fmt in ("svg", "pdf") else None
        fig.savefig(path, dpi=150, metadata=metadata)
        print(f"wrote {path}")
        written.append(path)
    plt.close(fig)
    return written


def safe_stem(text: str) -> str:
    """A string usable in a file name: path separators and spaces become underscores."""
    return "".join(c if c.isalnum() or c in "-_.+" else "_" for c in text)


def _runs_by_task(runs: Sequence[Run]) -> Dict[str, List[Run]]:
    tasks: Dict[str, List[Run]] = {}
    for run in runs:
        tasks.setdefault(run.task, []).append(run)
    return dict(sorted(tasks.items()))


def _runs_by_label(runs: Sequence[Run]) -> Dict[str, List[Run]]:
    labels: Dict[str, List[Run]] = {}
    for run in runs:
        labels.setdefault(run.label, []).append(run)
    return {label: labels[label] for label in sorted(labels, key=label_sort_key)}


def _mark_train_max(ax, runs: Sequence[Run]) -> None:
    """A dashed vertical line at each distinct train_len_max of `runs`, labelled "train max"."""
    maxima = sorted({run.train_len_max for run in runs})
    for n in maxima:
        label = "train max" if len(maxima) == 1 else f"train max ({n})"
        ax.axvline(n, color="0.35", linestyle="--", linewidth=1, zorder=1, label=label)


# ---------------------------------------------------------------------------------------------
# Figure 1: exact match against length


def plot_exact_match(task: str, runs: Sequence[Run]):
    """Exact match of the last evaluation against length, mean over seeds with a min-max band.

    Runs of one label may have been evaluated at different lengths: the seeds are aligned on
    the union of their lengths, and each length averages the seeds that evaluated it.
    Returns the figure, or None if no run of the task has been evaluated yet.
    """
    evaluated = [run for run in runs if run.exact_match.shape[0] > 0 and len(run.lengths) > 0]
    if not evaluated:
        return None
    fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
    for label, group in _runs_by_label(evaluated).items():
        lengths = np.array(sorted(set().union(*(run.lengths.tolist() for run in group))))
        scores = np.full((len(group), len(lengths)), np.nan)
        for row, run in enumerate(group):
            scores[row, np.searchsorted(lengths, run.lengths)] = run.exact_match[-1]
        colour = label_colour(label)
        ax.plot(lengths, np.nanmean(scores, axis=0), color=colour, marker="o", markersize=3,
                linewidth=1.6, label=label, zorder=3)
        if len(group) > 1:
            ax.fill_between(lengths, np.nanmin(scores, axis=0), np.nanmax(scores, axis=0),
                            color=colour, alpha=0.2, linewidth=0, zorder=2)
    _mark_train_max(ax, evaluated)
    ax.set_xlabel("input length n")
    ax.set_ylabel("exact match")
    ax.set_ylim(-0.03, 1.03)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(True, alpha=0.3)
    ax.set_title(task)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    return fig


# ---------------------------------------------------------------------------------------------
# Figure 2: training curves


def in_distribution_exact_match(run: Run) -> Optional[np.ndarray]:
    """Per evaluation row, the mean exact match over the lengths <= train_len_max (or None)."""
    if run.exact_match.shape[0] == 0:
        return None
    inside = run.lengths <= run.train_len_max
    if not inside.any():
        return None
    return run.exact_match[:, inside].mean(axis=1)


def _log_scale(ax) -> None:
    """A log y axis whose ticks stay readable when the data span less than two decades.

    Matplotlib labels only the powers of ten, so a loss going from 2.5 to 0.3 would show a
    single label; label 2, 3 and 5 times each power too, in plain numbers.
    """
    ax.set_yscale("log")
    low, high = ax.dataLim.y0, ax.dataLim.y1
    if low > 0 and np.isfinite(high) and np.log10(high / low) < 2:
        plain = FuncFormatter(lambda value, _: f"{value:g}")
        ax.yaxis.set_minor_locator(LogLocator(subs=(2.0, 3.0, 5.0)))
        ax.yaxis.set_minor_formatter(plain)
        ax.yaxis.set_major_formatter(plain)


def plot_training(task: str, runs: Sequence[Run]):
    """Training loss (log scale) and in-distribution exact match over the steps, one line a run.

    Lines are coloured by encoding label; the legend has one entry per label.
    """
    fig, (ax_loss, ax_em) = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
    handles = {}
    for label, group in _runs_by_label(runs).items():
        colour = label_colour(label)
        for run in group:
            finite = np.isfinite(run.train_loss) & (run.train_loss > 0)
            if finite.any():
                (line,) = ax_loss.plot(run.train_step[finite], run.train_loss[finite],
                                       color=colour, linewidth=0.8, alpha=0.85)
                handles.setdefault(label, line)
            scores = in_distribution_exact_match(run)
            if scores is not None:
                (line,) = ax_em.plot(run.eval_step, scores, color=colour, linewidth=0.8,
                                     alpha=0.85, marker="o", markersize=2.5)
                handles.setdefault(label, line)
    if any(line.get_xdata().size for line in ax_loss.get_lines()):
        _log_scale(ax_loss)
    ax_loss.set_xlabel("step")
    ax_loss.set_ylabel("training loss")
    ax_loss.set_title("training loss")
    ax_loss.grid(True, which="major", alpha=0.3)
    ax_loss.grid(True, which="minor", alpha=0.12)
    ax_em.set_xlabel("step")
    ax_em.set_ylabel("exact match, lengths <= train max")
    ax_em.set_title("in-distribution exact match")
    ax_em.set_ylim(-0.03, 1.03)
    ax_em.grid(True, alpha=0.3)
    if not ax_em.get_lines():
        ax_em.text(0.5, 0.5, "no evaluation yet", transform=ax_em.transAxes, ha="center",
                   va="center", color="0.4")
    if handles:
        ax_em.legend(handles.values(), handles.keys(), loc="center left",
                     bbox_to_anchor=(1.01, 0.5), frameon=False)
    fig.suptitle(task)
    return fig


# ---------------------------------------------------------------------------------------------
# Figure 3: attention maps


def resolve_run_path(name: str, directory: str) -> str:
    """A run given by --attention: a path to a file, or a run name (file name without .h5)."""
    if os.path.isfile(name):
        return name
    return os.path.join(directory, name if name.endswith(".h5") else name + ".h5")


def read_attention(path: str):
    """The attention maps of probe example 0: a list over layers of (H, T, T), and its tokens.

    Returns (None, reason) when the run has no attention maps.
    """
    with h5py.File(path, "r") as f:
        if "attention" not in f:
            return None, ("it has no /attention group (the maps are written when a run "
                          "completes with --probe-examples > 0)")
        group = f["attention"]
        layers = sorted((int(key[len("layer"):]), key) for key in group
                        if key.startswith("layer") and key[len("layer"):].isdigit())
        if not layers:
            return None, "its /attention group has no layer<l> maps"
        maps = [np.asarray(group[key][0], dtype=np.float64) for _, key in layers]
        if any(m.ndim != 3 or m.shape[1] != m.shape[2] for m in maps):
            return None, "its attention maps are not shaped (examples, H, T, T)"
        tokens = np.asarray(group["tokens"][0]) if "tokens" in group else None
    return (maps, tokens), None


def plot_attention(run_name: str, maps: Sequence[np.ndarray], tokens: Optional[np.ndarray]):
    """A grid of heatmaps, layer l in row l and head h in column h; query on y, key on x.

    The causal mask's zeros above the diagonal are drawn light grey, apart from the weights
    the model computed (which may also be near 0).
    """
    n_layers, n_heads = len(maps), maps[0].shape[0]
    size = 2.3
    fig, axes = plt.subplots(n_layers, n_heads, squeeze=False, layout="constrained",
                             figsize=(size * n_heads + 1.2, size * n_layers + 0.9))
    cmap = plt.get_cmap("viridis").copy()
    cmap.set_bad("#e8e8e8")
    image = None
    for l, layer in enumerate(maps):
        T = layer.shape[-1]
        above = np.triu(np.ones((T, T), dtype=bool), k=1)
        for h in range(n_heads):
            ax = axes[l, h]
            image = ax.imshow(np.ma.array(layer[h], mask=above), cmap=cmap, vmin=0.0,
                              vmax=1.0, interpolation="nearest")
            ax.set_title(f"layer {l} head {h}", fontsize=9)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
            ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))
            ax.tick_params(labelsize=7)
            if l == n_layers - 1:
                ax.set_xlabel("key position")
            if h == 0:
                ax.set_ylabel("query position")
    fig.colorbar(image, ax=axes, shrink=0.8, label="attention probability")
    title = f"attention of {run_name}, probe example 0"
    if tokens is not None:
        title += "\ntokens: " + " ".join(str(int(t)) for t in tokens)
    fig.suptitle(title, fontsize=10)
    return fig


# ---------------------------------------------------------------------------------------------
# Figure 4: the encodings from their closed forms


def integer_encoding(positions: np.ndarray, d: int) -> np.ndarray:
    """P[p, i] = p (-1)^i (models/encodings/integer.cpp)."""
    signs = np.where(np.arange(d) % 2 == 0, 1.0, -1.0)
    return positions[:, None].astype(np.float64) * signs[None, :]


def binary_encoding(positions: np.ndarray, d: int) -> np.ndarray:
    """P[p, i] = bit i of p, least significant first, 0 for i > 31 (models/encodings/binary.cpp)."""
    bits = np.arange(d)
    values = (positions[:, None].astype(np.int64) >> np.minimum(bits, 31)[None, :]) & 1
    return np.where(bits[None, :] > 31, 0, values).astype(np.float64)


def sinusoidal_encoding(positions: np.ndarray, d: int) -> np.ndarray:
    """P[p, 2i] = sin(p / 10000^(2i/d)), P[p, 2i+1] = cos(p / 10000^(2i/d)).

    Computed as models/encodings/sinusoidal.cpp does: the divisor and the angle in float32,
    the sine and cosine in float64.
    """
    dims = np.arange(d)
    even = (dims - dims % 2).astype(np.float32)
    denom = np.power(np.float32(10000.0), even / np.float32(d))
    angle = (positions[:, None].astype(np.float32) / denom[None, :]).astype(np.float64)
    return np.where(dims[None, :] % 2 == 0, np.sin(angle), np.cos(angle))


def rope_frequencies(head_dim: int, base: float = 10000.0) -> np.ndarray:
    """theta_j = base^(-2j/dh) for the pairs j = 0 .. dh/2 - 1 (docs/encodings.md, rope)."""
    return base ** (-2.0 * np.arange(head_dim // 2) / head_dim)


def _heatmap(panel, table: np.ndarray, title: str, cmap: str, vmin: float, vmax: float,
             colorbar_label: str, ticks=None) -> None:
    """One position x dimension table in `panel`: position along x, dimension i down the y axis."""
    ax = panel.subplots()
    image = ax.imshow(table.T, aspect="auto", cmap=cmap, vmin=vmin, vmax=vmax,
                      interpolation="nearest")
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("position p")
    ax.set_ylabel("dimension i")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    panel.colorbar(image, ax=ax, pad=0.01, label=colorbar_label, ticks=ticks)


def _rope_circles(panel, d: int, pairs: Sequence[int], n_positions: int, base: float) -> None:
    """One unit-circle plot per pair j: the vector (1, 0) turned by p theta_j, p = 0 .. n-1."""
    theta = rope_frequencies(d, base)
    p = np.arange(n_positions)
    cmap = plt.get_cmap("viridis")
    colours = cmap(p / max(n_positions - 1, 1))
    circle = np.linspace(0.0, 2.0 * np.pi, 200)
    axes = panel.subplots(1, len(pairs), squeeze=False)[0]
    for ax, j in zip(axes, pairs):
        angles = p * theta[j]
        ax.plot(np.cos(circle), np.sin(circle), color="0.75", linewidth=0.8)
        ax.axhline(0, color="0.88", linewidth=0.6, zorder=0)
        ax.axvline(0, color="0.88", linewidth=0.6, zorder=0)
        ax.quiver(np.zeros_like(angles), np.zeros_like(angles), np.cos(angles), np.sin(angles),
                  color=colours, angles="xy", scale_units="xy", scale=1, width=0.012)
        ax.scatter(np.cos(angles), np.sin(angles), c=colours, s=14, zorder=3)
        for q, nudge in ((0, -0.12), (n_positions - 1, 0.12)):
            x, y = 1.3 * np.cos(angles[q]), 1.3 * np.sin(angles[q])
            ax.annotate(f"p={q}", (np.cos(angles[q]), np.sin(angles[q])), xytext=(x, y + nudge),
                        fontsize=7, ha="center", va="center")
        ax.set_xlim(-1.5, 1.5)
        ax.set_ylim(-1.5, 1.5)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        turns = (n_positions - 1) * theta[j] / (2.0 * np.pi)
        ax.set_title(f"pair {j}: $\\theta_{{{j}}}$ = {theta[j]:.3g} rad/position\n"
                     f"{turns:.2g} turns by p = {n_positions - 1}", fontsize=9)
        ax.set_xlabel(f"dimension {2 * j}", fontsize=8)
        ax.set_ylabel(f"dimension {2 * j + 1}", fontsize=8)
    mappable = plt.cm.ScalarMappable(cmap=cmap, norm=plt.Normalize(0, n_positions - 1))
    panel.colorbar(mappable, ax=axes, orientation="horizontal", shrink=0.6, aspect=30,
                   label="position p")
    panel.suptitle(rf"(d) RoPE: pair $j$ of a unit vector turned by $p\,\theta_j$, "
                   rf"$\theta_j = {base:g}^{{-2j/d}}$"
                   "\nlow pairs turn fast, high pairs slowly", fontsize=10)


def plot_encodings(n_positions: int = 64, d: int = 16, rope_pairs: Sequence[int] = (0, 2, 4),
                   rope_positions: int = 16, base: float = 10000.0):
    """The four panels: integer, binary and sinusoidal tables, and RoPE's rotating pairs."""
    positions = np.arange(n_positions)
    fig = plt.figure(figsize=(14, 9), layout="constrained")
    (a, b), (c, rope) = fig.subfigures(2, 2, wspace=0.03, hspace=0.04)

    table = integer_encoding(positions, d)
    limit = np.abs(table).max()
    _heatmap(a, table, r"(a) integer: $P[p, i] = p\,(-1)^i$, unbounded",
             "RdBu_r", -limit, limit, "value")
    _heatmap(b, binary_encoding(positions, d),
             r"(b) binary: $P[p, i]$ = bit $i$ of $p$, bounded but jumpy",
             "Greys", 0.0, 1.0, "bit", ticks=[0, 1])
    _heatmap(c, sinusoidal_encoding(positions, d),
             r"(c) sinusoidal: $P[p, 2i] = \sin(p / 10000^{2i/d})$, "
             r"$P[p, 2i{+}1] = \cos(p / 10000^{2i/d})$",
             "RdBu_r", -1.0, 1.0, "value")
    _rope_circles(rope, d, rope_pairs, rope_positions, base)
    fig.suptitle(f"positional encodings as pelab computes them: positions 0..{n_positions - 1}, "
                 f"d = {d}", fontsize=12)
    return fig


# ---------------------------------------------------------------------------------------------
# Command line


def parse_args(argv=None):
    """The command line: DIR [--out FIGDIR] [--attention RUN ...] [--formats] [--no-encodings]."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Draw the figures of pelab report from the run files (*.h5) in DIR.")
    parser.add_argument("dir", metavar="DIR", help="directory holding the run files")
    parser.add_argument("--out", metavar="FIGDIR",
                        help="where to write the figures (default: DIR/figures)")
    parser.add_argument("--attention", metavar="RUN", nargs="+", action="extend", default=[],
                        help="draw the attention maps of these runs (a run name, i.e. the file "
                             "name without .h5, or a path)")
    parser.add_argument("--formats", default="png,svg",
                        help="comma-separated figure formats among %s (default: png,svg)"
                             % ",".join(FIGURE_FORMATS))
    parser.add_argument("--no-encodings", action="store_true",
                        help="do not draw encodings.{png,svg}")
    args = parser.parse_args(argv)
    args.formats = [fmt.strip().lower() for fmt in args.formats.split(",") if fmt.strip()]
    unknown = [fmt for fmt in args.formats if fmt not in FIGURE_FORMATS]
    if unknown or not args.formats:
        parser.error(f"--formats: unknown format {','.join(unknown) or '(none)'}; "
                     f"choose among {','.join(FIGURE_FORMATS)}")
    if not os.path.isdir(args.dir):
        parser.error(f"DIR: '{args.dir}' is not a directory")
    if args.out is None:
        args.out = os.path.join(args.dir, "figures")
    return args


def main(argv=None) -> int:
    """Draw every figure; print one `wrote PATH` line per file. Returns the exit status."""
    args = parse_args(argv)
    plt.rcParams["svg.hashsalt"] = "pelab"  # stable element ids in SVG output
    os.makedirs(args.out, exist_ok=True)

    runs = read_runs(args.dir)
    if not runs:
        print(f"{PROG}: no run files in {args.dir}", file=sys.stderr)
    for task, task_runs in _runs_by_task(runs).items():
        fig = plot_exact_match(task, task_runs)
        if fig is None:
            print(f"{PROG}: no evaluation yet for task {task}; no exact_match_{task}",
                  file=sys.stderr)
        else:
            save_figure(fig, args.out, f"exact_match_{safe_stem(task)}", args.formats)
        save_figure(plot_training(task, task_runs), args.out, f"training_{safe_stem(task)}",
                    args.formats)

    for name in args.attention:
        path = resolve_run_path(name, args.dir)
        run_name = os.path.basename(path)
        run_name = run_name[: -len(".h5")] if run_name.endswith(".h5") else run_name
        if not os.path.isfile(path):
            found, reason = None, f"no run file {path}"
        else:
            try:
                found, reason = read_attention(path)
            except Exception as error:  # a corrupt file: say so and draw the rest
                found, reason = None, f"cannot read {path}: {error_reason(error)}"
        if found is None:
            print(f"{PROG}: no attention figure for {name}: {reason}", file=sys.stderr)
            continue
        maps, tokens = found
        save_figure(plot_attention(run_name, maps, tokens), args.out,
                    f"attention_{safe_stem(run_name)}", args.formats)

    if not args.no_encodings:
        save_figure(plot_encodings(), args.out, "encodings", args.formats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
