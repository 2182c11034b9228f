#!/usr/bin/python3
"""The figure `encodings`: the positional encodings of the seed article, from their closed forms.

Integer, binary and sinusoidal encodings as position x dimension heatmaps, and RoPE as pairs of
a unit vector rotating with position, each computed as pelab computes it (the model files are
named beside each formula). plots.py draws it into DIR/figures with the other figures; the
functions that compute the tables are tested against the formulas in
tests/experiments/plots_test.py.
"""

from typing import Sequence

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)
from matplotlib.ticker import MaxNLocator  # noqa: E402



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



def axial_rope_angles(grid_shape: Sequence[int], head_dim: int,
                      base: float = 10000.0) -> np.ndarray:
    """Angles (tokens, pairs) of rope-axial (models/encodings/rope_axial.cpp) for the tokens of a
    grid laid out cell by cell, last axis fastest: axis a turns pairs [a P / A, (a+1) P / A) by
    its coordinate, on a ladder over head_dim / A dimensions."""
    A, P = len(grid_shape), head_dim // 2
    cells = int(np.prod(grid_shape))
    coords = np.stack(np.unravel_index(np.arange(cells), grid_shape), axis=1)  # (cells, A)
    angles = np.zeros((cells, P))
    for a in range(A):
        first, last = a * P // A, (a + 1) * P // A
        inv_freq = base ** (-2.0 * np.arange(last - first) / (head_dim / A))
        angles[:, first:last] = coords[:, a:a + 1] * inv_freq[None, :]
    return angles


def plot_axial_rope(grid_shape: Sequence[int] = (4, 4, 4), head_dim: int = 24,
                    base: float = 10000.0):
    """cos of every rotated pair's angle for each token of a grid: each axis's block of pairs
    turns with that axis's coordinate only, so its stripes repeat at that axis's stride."""
    angles = axial_rope_angles(grid_shape, head_dim, base)
    cells, P = angles.shape
    A = len(grid_shape)
    fig, ax = plt.subplots(figsize=(12, 4.2), layout="constrained")
    image = ax.imshow(np.cos(angles).T, aspect="auto", cmap="RdBu_r", vmin=-1, vmax=1,
                      interpolation="nearest")
    strides = [int(np.prod(grid_shape[a + 1:])) for a in range(A)]
    for a in range(A):
        first, last = a * P // A, (a + 1) * P // A
        if a > 0:
            ax.axhline(first - 0.5, color="black", linewidth=1)
        ax.text(cells + 0.5, (first + last - 1) / 2,
                f"axis {a}\nturns every {strides[a]} token{'s' if strides[a] > 1 else ''}",
                va="center", fontsize=9)
    ax.set_xlabel("token (cells of the grid in order, last axis fastest)")
    ax.set_ylabel("rotated pair j")
    ax.set_xlim(-0.5, cells - 0.5)
    fig.colorbar(image, ax=ax, label=r"$\cos$ of the pair's angle", pad=0.12)
    shape = "x".join(str(s) for s in grid_shape)
    ax.set_title(f"rope-axial on a {shape} grid, head size {head_dim}: the {P} pairs divided "
                 f"among {A} axes, each on its own ladder over {head_dim // A} dimensions",
                 fontsize=10)
    return fig


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="draw the encodings figures")
    parser.add_argument("--out", default=".", help="directory for encodings.png and axial_rope.png")
    parser.add_argument("--grid-shape", default="4x4x4", help="the grid of the axial figure")
    parser.add_argument("--head-dim", type=int, default=24)
    args = parser.parse_args()
    plot_encodings().savefig(f"{args.out}/encodings.png", dpi=110)
    sizes = [int(s) for s in args.grid_shape.split("x")]
    plot_axial_rope(sizes, args.head_dim).savefig(f"{args.out}/axial_rope.png", dpi=110)
    print(f"wrote {args.out}/encodings.png and {args.out}/axial_rope.png")
