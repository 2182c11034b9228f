#!/usr/bin/python3
"""Where a trained model's attention scores come from: meaning, position, or both.

    experiments/plot_scores.py RUN.h5 [RUN.h5 ...] [--layer 0] [--head H] [--out scores.png]

For each run (one row of the figure), the first probe example of the run file (/attention/tokens)
goes through the embedding and the first LayerNorm and query-key projection of layer --layer 0
(the only layer whose input is the embedding itself), and each head's scores
S = q k^T / sqrt(dh) are split into the four terms of docs/encodings.md:

    x = x_e + x_P             the token embedding and the position vector: under add both D wide,
                              under concat x_e = [e ; 0] and x_P = [0 ; P]
    LN(x) = u_e + u_P + b     u_e = (x_e - mean(x_e)) / sigma * w, the same for P, with sigma the
                              row's own: LayerNorm is affine once its row's statistics are fixed
    q = W_q u_e + W_q u_P + c_q, and k alike, so
    S = S_ee + S_eP + S_Pe + S_PP + (the terms with the constants c_q, c_k)

S_eP is "a token's meaning asks for a key's position". Under concat u_e and u_P sit in separate
blocks, so S_eP and S_Pe exist only as far as W_q and W_k mix the blocks. Each panel shows one
term (causal: keys j <= i) with its share of the total magnitude sum |term| over the four. The
head drawn is --head, or by default the head whose position-position term is largest.

Reads only the run file: /config, /params and /attention/tokens (written when a run completes).
The position vectors are the encoding's, computed as pelab computes them (plot_encodings.py),
or the learned table's rows; the positions are 0 .. T-1, as the probe examples are run.
"""
import argparse
import os
import sys

import h5py
import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import plot_encodings as E  # noqa: E402

PROG = "plot_scores.py"
TERMS = [("ee", "token-token"), ("eP", "token-position"), ("Pe", "position-token"),
         ("PP", "position-position")]


def fail(message):
    sys.exit(f"{PROG}: {message}")


def attr(config, name, default=None):
    if name in config.attrs:
        v = config.attrs[name]
        return v.decode() if isinstance(v, bytes) else v
    return default


def position_vectors(cfg, params, T):
    """P (T, W) of the run's scheme at positions 0 .. T-1."""
    pe, width = cfg["pe"], cfg["width"]
    p = np.arange(T)
    if pe == "integer":
        return E.integer_encoding(p, width)
    if pe == "normalized":
        return E.integer_encoding(p, width) / T
    if pe == "binary":
        return E.binary_encoding(p, width)
    if pe == "sinusoidal":
        return E.sinusoidal_encoding(p, width)
    if pe == "learned":
        return params["pos_emb.weight"][:T].astype(np.float64)
    fail(f"--pe {pe} puts no vector beside the token embedding; the four terms need one")


def load(path):
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        fail(f"{path}: not a readable HDF5 file ({e})")
    with f:
        if "attention/tokens" not in f:
            fail(f"{path}: no /attention/tokens (a run writes them when it completes)")
        c = f["config"]
        d = int(attr(c, "d_model"))
        concat = attr(c, "pe_combine", "add") == "concat"
        pe_dim = int(attr(c, "pe_dim", 16))
        cfg = {"pe": attr(c, "pe"), "d_model": d, "n_heads": int(attr(c, "n_heads")),
               "concat": concat, "width": pe_dim if concat else d,
               "position_ids": attr(c, "position_ids", "sequential"),
               "task": attr(c, "task", "?"), "name": os.path.basename(path)}
        params = {name: np.asarray(f["params"][name], dtype=np.float64) for name in f["params"]}
        tokens = np.asarray(f["attention/tokens"][0])
    return cfg, params, tokens


def score_terms(cfg, params, tokens, layer):
    """The four terms, each (H, T, T), of layer `layer`'s first attention scores."""
    if layer != 0:
        fail("--layer: only layer 0 reads the embedding directly; later layers' inputs mix the "
             "two through attention and the MLP")
    T, D, H = len(tokens), cfg["d_model"], cfg["n_heads"]
    dh = D // H
    e = params["tok_emb.weight"][tokens]  # (T, D) or (T, D - W)
    P = position_vectors(cfg, params, T)  # (T, W)
    if cfg["concat"]:
        x_e = np.concatenate([e, np.zeros((T, P.shape[1]))], axis=1)
        x_P = np.concatenate([np.zeros((T, e.shape[1])), P], axis=1)
    else:
        x_e, x_P = e, P
    x = x_e + x_P
    sigma = np.sqrt(x.var(axis=1, keepdims=True) + 1e-5)
    w = params[f"blocks.{layer}.ln1.weight"]
    u = {"e": (x_e - x_e.mean(axis=1, keepdims=True)) / sigma * w,
         "P": (x_P - x_P.mean(axis=1, keepdims=True)) / sigma * w}
    Wqkv = params[f"blocks.{layer}.attn.qkv.weight"]  # (3D, D)
    Wq, Wk = Wqkv[:D], Wqkv[D:2 * D]
    q = {s: (u[s] @ Wq.T).reshape(T, H, dh).transpose(1, 0, 2) for s in u}
    k = {s: (u[s] @ Wk.T).reshape(T, H, dh).transpose(1, 0, 2) for s in u}
    causal = np.tril(np.ones((T, T), dtype=bool))
    terms = {}
    for name, _ in TERMS:
        s = q[name[0]] @ k[name[1]].transpose(0, 2, 1) / np.sqrt(dh)
        terms[name] = np.where(causal[None], s, np.nan)
    return terms


def main(argv=None):
    ap = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    ap.add_argument("runs", nargs="+", help="run files (completed)")
    ap.add_argument("--layer", type=int, default=0)
    ap.add_argument("--head", type=int, default=None,
                    help="the head to draw (default: the one with the largest position-position term)")
    ap.add_argument("--out", default="scores.png")
    args = ap.parse_args(argv)

    rows = []
    for path in args.runs:
        cfg, params, tokens = load(path)
        if cfg["position_ids"] != "sequential":
            print(f"{PROG}: {path}: trained with --position-ids {cfg['position_ids']}; drawn at "
                  "positions 0..T-1", file=sys.stderr)
        terms = score_terms(cfg, params, tokens, args.layer)
        H = cfg["n_heads"]
        if args.head is not None and not 0 <= args.head < H:
            fail(f"--head {args.head}: the run has heads 0..{H - 1}")
        head = args.head if args.head is not None else int(
            np.argmax([np.nanmean(np.abs(terms["PP"][h])) for h in range(H)]))
        rows.append((cfg, head, {n: t[head] for n, t in terms.items()}))

    fig, axes = plt.subplots(len(rows), 4, figsize=(13, 3.2 * len(rows)), squeeze=False)
    for r, (cfg, head, terms) in enumerate(rows):
        total = sum(np.nansum(np.abs(t)) for t in terms.values())
        limit = max(np.nanmax(np.abs(t)) for t in terms.values())
        way = f"concat ({cfg['width']} of {cfg['d_model']})" if cfg["concat"] else "add"
        for c, (name, label) in enumerate(TERMS):
            ax = axes[r][c]
            image = ax.imshow(terms[name], cmap="RdBu_r", vmin=-limit, vmax=limit,
                              interpolation="nearest")
            share = np.nansum(np.abs(terms[name])) / total if total > 0 else 0.0
            ax.set_title(f"{label}: {share:.0%} of |S|", fontsize=9)
            ax.set_xlabel("key j")
            if c == 0:
                ax.set_ylabel(f"{cfg['task']} / {cfg['pe']} {way}\nhead {head}: query i")
        fig.colorbar(image, ax=axes[r].tolist(), shrink=0.8)
        print(f"{cfg['name']}: head {head}: " + ", ".join(
            f"{label} {np.nansum(np.abs(terms[n])) / total:.0%}" for n, label in TERMS))
    fig.suptitle(f"Layer {args.layer}'s attention scores split by where q and k come from "
                 "(docs/encodings.md)", fontsize=11)
    fig.savefig(args.out, dpi=110, bbox_inches="tight")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
