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
  query_map_<task>     for tasks whose examples query an index (select): exact match of the
                       last evaluation as a map over (input length n, queried index k), one
                       panel per encoding (the mean over seeds), the training lengths marked:
                       does an encoding fail at reading the index, at large k, or past the
                       training length?
  attention_<run>      for each --attention run: the attention maps of probe example 0, one
                       heatmap per layer (rows) and head (columns), query on y, key on x.
  encodings            the encodings from their closed forms, as pelab computes them: (a)
                       integer, (b) binary and (c) sinusoidal as position x dimension heatmaps,
                       (d) RoPE as a unit vector turned by p theta_j for a few pairs j.

An encoding's label is the run's `pe`, plus "+rand" with randomized positions and "+<method>"
with RoPE scaling (e.g. "rope+yarn"), "+coupled", "+digit" or "+hints" with positions the task
assigns. Each label keeps one colour in every figure; those three take their encoding's colour
and a dashed, dotted or dash-dot line.

Usage (pelab report DIR --plots runs it this way, and it can be run directly):

  /usr/bin/python3 experiments/plots.py DIR [--out FIGDIR] [--attention RUN ...]
                                            [--formats png,svg] [--no-encodings]

It prints one line per file written ("wrote FIGDIR/x.png"). Reading the run files and labelling
their encodings is plot_runs.py, the encodings figure plot_encodings.py, both beside this file
(a copy of plots.py elsewhere, named by PELAB_PLOTS, needs them beside it too).
"""

import argparse
import os
import sys
import warnings
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

# The two modules beside this file: reading the run files, and the encodings figure.
from plot_encodings import plot_encodings  # noqa: E402
from plot_runs import (PROG, Run, error_reason, label_colour, label_linestyle,  # noqa: E402
                       label_sort_key, read_runs)

FIGURE_FORMATS = ("png", "svg", "pdf")


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
                linewidth=1.6, linestyle=label_linestyle(label), label=label, zorder=3)
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
# Figure: exact match by (length, queried index), for select


def plot_query_map(task: str, runs: Sequence[Run]):
    """One heatmap per encoding label: exact match over (input length n on x, queried index k
    on y, 0-based), the mean over the label's seeds. Cells no example queried (k >= n) are
    blank. Returns the figure, or None if no run of the task has a map."""
    mapped = [run for run in runs if run.query_exact_match is not None]
    if not mapped:
        return None
    groups = _runs_by_label(mapped)
    columns = min(3, len(groups))
    rows = (len(groups) + columns - 1) // columns
    fig, axes = plt.subplots(rows, columns, figsize=(3.6 * columns + 1.0, 3.2 * rows),
                             squeeze=False, layout="constrained")
    image = None
    for ax, (label, group) in zip(axes.flat, groups.items()):
        lengths = group[0].query_lengths
        maps = [run.query_exact_match for run in group
                if np.array_equal(run.query_lengths, lengths)
                and run.query_exact_match.shape == group[0].query_exact_match.shape]
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", category=RuntimeWarning)  # all-NaN cells stay NaN
            mean = np.nanmean(np.stack(maps), axis=0)
        # x: one column per evaluated length (lengths may skip), y: index k
        image = ax.imshow(mean.T, origin="lower", aspect="auto", vmin=0.0, vmax=1.0,
                          cmap="viridis", interpolation="nearest",
                          extent=(-0.5, len(lengths) - 0.5, -0.5, mean.shape[1] - 0.5))
        trained = np.searchsorted(lengths, group[0].train_len_max, side="right")
        ax.axvline(trained - 0.5, color="white", linestyle="--", linewidth=1)
        ticks = np.linspace(0, len(lengths) - 1, min(6, len(lengths))).round().astype(int)
        ax.set_xticks(ticks)
        ax.set_xticklabels([str(lengths[t]) for t in ticks])
        ax.set_title(f"{label} ({len(maps)} seed{'s' if len(maps) != 1 else ''})", fontsize=9)
        ax.set_xlabel("input length n")
        ax.set_ylabel("queried index k")
    for ax in list(axes.flat)[len(groups):]:
        ax.axis("off")
    fig.colorbar(image, ax=axes, shrink=0.8, label="exact match")
    fig.suptitle(f"{task}: exact match by length and queried index (dashed: train max)")
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
                                       color=colour, linewidth=0.8, alpha=0.85,
                                       linestyle=label_linestyle(label))
                handles.setdefault(label, line)
            scores = in_distribution_exact_match(run)
            if scores is not None:
                (line,) = ax_em.plot(run.eval_step, scores, color=colour, linewidth=0.8,
                                     alpha=0.85, marker="o", markersize=2.5,
                                     linestyle=label_linestyle(label))
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
        query_map = plot_query_map(task, task_runs)
        if query_map is not None:
            save_figure(query_map, args.out, f"query_map_{safe_stem(task)}", args.formats)

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
