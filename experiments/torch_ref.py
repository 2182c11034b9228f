#!/usr/bin/python3
"""pelab's model (docs/model.md) in eager PyTorch on the CPU, to time against `pelab bench`.

    /usr/bin/python3 experiments/torch_ref.py bench --config tiny --pe rope --threads 1

times the benchmark step of docs/model.md#benchmark-configurations and prints one line:

    torch config=tiny pe=rope threads=1 params=... step_ms=... tokens_per_s=... gflops=...

experiments/compare_torch.sh runs it beside `pelab bench` and prints the tables of
docs/performance.md.

This is the model as a PyTorch user would write it for speed: float32, strided slices for
RoPE's pairs, the causal mask from torch.triu. It has the schemes a benchmark runs (none,
integer, normalized, binary, sinusoidal, learned, rope, alibi, t5) and the contract's
parameter names. The reference for correctness is tests/golden/reference.py, which has every
scheme and option, written another way on purpose, and loads pelab's files.

Needs PyTorch: Debian's python3-torch (`sudo apt-get install python3-torch`), run with
/usr/bin/python3. pelab itself never needs it.
"""
import argparse
import math
import os
import sys
import time

# PyTorch's CPU allocator returns large blocks to the system after every op, and fresh pages
# are expensive on some virtual machines. These glibc settings keep freed memory in the heap,
# so that PyTorch is timed at its best. They must be set before the process starts: the script
# starts itself again once with them.
MALLOC_TUNABLES = ("glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=4294967295"
                   ":glibc.malloc.top_pad=268435456")
if __name__ == "__main__" and "GLIBC_TUNABLES" not in os.environ:
    os.environ["GLIBC_TUNABLES"] = MALLOC_TUNABLES
    os.execv(sys.executable, [sys.executable] + sys.argv)

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    sys.exit("experiments/torch_ref.py needs PyTorch: sudo apt-get install python3-torch "
             "(Debian's), then run it with /usr/bin/python3")

# The benchmark configurations of docs/model.md, as experiments/commands/bench.cpp has them:
# name: (vocab_size, d_model, n_heads, n_layers, T, batch_size).
BENCH_CONFIGS = {
    "tiny": (16, 64, 4, 2, 64, 32),
    "small": (32, 128, 4, 4, 128, 32),
    "medium": (32, 256, 8, 4, 256, 16),
}
SCHEMES = ["none", "integer", "normalized", "binary", "sinusoidal", "learned", "rope", "alibi",
           "t5"]
T5_BUCKETS, T5_MAX_DISTANCE = 32, 128


def additive_table(pe, T, D, positions):
    """P (T, D) of an additive scheme (docs/model.md#positional-encodings), None otherwise."""
    p = positions.float()[:, None]
    sign = 1.0 - 2.0 * (torch.arange(D) % 2).float()  # (-1)^i: zero mean, so LayerNorm keeps it
    if pe == "integer":  # P[p, i] = p (-1)^i
        return p * sign
    if pe == "normalized":  # P[p, i] = (p / T) (-1)^i
        return (p / T) * sign
    if pe == "binary":  # P[p, i] = bit i of p, least significant first; 0 past bit 31
        i = torch.arange(D)
        bits = ((positions[:, None] >> i.clamp(max=31)) & 1).float()
        bits[:, i > 31] = 0
        return bits
    if pe == "sinusoidal":  # P[p, 2k] = sin(p w_k), P[p, 2k+1] = cos(p w_k), w_k = 10000^(-2k/D)
        two_k = torch.arange(0, D, 2, dtype=torch.float32)
        angle = p / (10000 ** (two_k / D))
        table = torch.zeros(T, D)
        table[:, 0::2] = torch.sin(angle)
        table[:, 1::2] = torch.cos(angle)
        return table
    return None


def rope(x, positions, base, style, fraction):
    """x (B, H, T, dh): pair j of the first round(fraction dh / 2) turned by the angle
    p w_j, w_j = base^(-2j/dh); pair j is dims (2j, 2j+1) interleaved, (j, j + dh/2) half."""
    dh = x.shape[-1]
    n_pairs = int(round(fraction * dh / 2))
    w = base ** (-torch.arange(0, dh, 2, dtype=torch.float32)[:n_pairs] / dh)
    angle = positions.float()[:, None] * w[None, :]  # (T, n_pairs)
    c, s = angle.cos(), angle.sin()
    if style == "interleaved":
        first, second = slice(0, 2 * n_pairs, 2), slice(1, 2 * n_pairs, 2)
    else:
        first, second = slice(0, n_pairs), slice(dh // 2, dh // 2 + n_pairs)
    x1, x2 = x[..., first], x[..., second]
    out = x.clone()
    out[..., first] = x1 * c - x2 * s
    out[..., second] = x1 * s + x2 * c
    return out


def alibi_slopes(H):
    """m_h = 2^(-8(h+1)/H) for H a power of two; otherwise the c slopes of c heads (c the
    largest power of two below H), then every other slope of 2c heads."""
    def geometric(n):
        start = 2 ** (-8 / n)
        return [start ** (h + 1) for h in range(n)]
    if math.log2(H).is_integer():
        return torch.tensor(geometric(H))
    c = 2 ** math.floor(math.log2(H))
    return torch.tensor(geometric(c) + geometric(2 * c)[0::2][:H - c])


def t5_bucket(n):
    """Causal buckets of the distance n = i - j (negative counts as 0), in float32."""
    n = n.clamp(min=0)
    exact = T5_BUCKETS // 2
    far = exact + (torch.log(n.float().clamp(min=1) / exact) / math.log(T5_MAX_DISTANCE / exact)
                   * (T5_BUCKETS - exact)).long()
    return torch.where(n < exact, n, far.clamp(max=T5_BUCKETS - 1))


class Block(nn.Module):
    """One pre-LayerNorm block; parameter names as in docs/model.md#parameter-names-and-shapes."""

    def __init__(self, cfg):
        super().__init__()
        D, F_ = cfg["d_model"], cfg["d_ff"]
        self.cfg = cfg
        self.ln1, self.ln2 = nn.LayerNorm(D), nn.LayerNorm(D)
        self.attn = nn.Module()
        self.attn.qkv, self.attn.proj = nn.Linear(D, 3 * D), nn.Linear(D, D)
        self.mlp = nn.Module()
        self.mlp.fc, self.mlp.proj = nn.Linear(D, F_), nn.Linear(F_, D)

    def forward(self, x, positions, bias):
        cfg = self.cfg
        B, T, D = x.shape
        H = cfg["n_heads"]
        q, k, v = self.attn.qkv(self.ln1(x)).split(D, dim=2)
        q, k, v = [t.view(B, T, H, D // H).transpose(1, 2) for t in (q, k, v)]
        if cfg["pe"] == "rope":
            rotation = (positions, cfg["rope_base"], cfg["rope_style"], cfg["rope_fraction"])
            q, k = rope(q, *rotation), rope(k, *rotation)
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(D // H)
        if bias is not None:
            scores = scores + bias
        causal = torch.triu(torch.ones(T, T, dtype=torch.bool), 1)
        y = scores.masked_fill(causal, float("-inf")).softmax(-1) @ v
        x = x + self.attn.proj(y.transpose(1, 2).reshape(B, T, D))
        return x + self.mlp.proj(F.gelu(self.mlp.fc(self.ln2(x)), approximate="tanh"))


class Transformer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        V, D = cfg["vocab_size"], cfg["d_model"]
        self.tok_emb = nn.Embedding(V, D)
        if cfg["pe"] == "learned":
            self.pos_emb = nn.Embedding(cfg["max_len"], D)
        if cfg["pe"] == "t5":
            self.rel_bias = nn.Embedding(T5_BUCKETS, cfg["n_heads"])
        self.blocks = nn.ModuleList([Block(cfg) for _ in range(cfg["n_layers"])])
        self.ln_f = nn.LayerNorm(D)
        self.lm_head = nn.Linear(D, V, bias=False)
        # docs/model.md's initialisation: N(0, 0.02) weights, zero biases, unit LayerNorms.
        for name, p in self.named_parameters():
            if name.endswith("bias"):
                nn.init.zeros_(p)
            elif ".ln" in name or name.startswith("ln_f"):
                nn.init.ones_(p)
            else:
                nn.init.normal_(p, 0.0, 0.02)

    def forward(self, tokens):
        """tokens (B, T) -> logits (B, T, V), at the positions 0 .. T-1."""
        cfg = self.cfg
        B, T = tokens.shape
        positions = torch.arange(T)
        x = self.tok_emb(tokens)
        if cfg["pe"] == "learned":
            x = x + self.pos_emb(positions)
        table = additive_table(cfg["pe"], T, cfg["d_model"], positions)
        if table is not None:
            x = x + table
        bias = None  # (H, T, T), shared by the blocks
        distance = positions[:, None] - positions[None, :]  # i - j at [i, j]
        if cfg["pe"] == "alibi":
            bias = -alibi_slopes(cfg["n_heads"])[:, None, None] * distance[None].float()
        if cfg["pe"] == "t5":
            bias = self.rel_bias(t5_bucket(distance)).permute(2, 0, 1)
        for block in self.blocks:
            x = block(x, positions, bias)
        return self.lm_head(self.ln_f(x))


def make_config(**options):
    """The model options of docs/model.md that this file reads, with pelab's defaults."""
    cfg = dict(vocab_size=16, d_model=64, n_heads=4, n_layers=2, d_ff=0, max_len=512, pe="rope",
               rope_base=10000.0, rope_style="interleaved", rope_fraction=1.0)
    cfg.update(options)
    if cfg["pe"] not in SCHEMES:
        raise ValueError(f"--pe {cfg['pe']}: experiments/torch_ref.py has {', '.join(SCHEMES)}; "
                         "tests/golden/reference.py has every scheme")
    if cfg["d_ff"] <= 0:
        cfg["d_ff"] = 4 * cfg["d_model"]
    return cfg


def bench(args):
    """The step of `pelab bench`: random tokens and targets, the loss on every position,
    backward, clipping to norm 1, AdamW (lr 1e-3, weight decay 0.01). Weight decay here covers
    every parameter, where pelab's skips biases and LayerNorms: one multiply per parameter and
    step, too little to show in a timing."""
    V, D, H, L, T, B = BENCH_CONFIGS[args.config]
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = Transformer(make_config(vocab_size=V, d_model=D, n_heads=H, n_layers=L, max_len=T,
                                    pe=args.pe))
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    n_params = sum(p.numel() for p in model.parameters())

    def step():
        tokens = torch.randint(0, V, (B, T))
        targets = torch.randint(0, V, (B, T))
        loss = F.cross_entropy(model(tokens).reshape(-1, V), targets.reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()

    for _ in range(args.warmup):
        step()
    t0 = time.perf_counter()
    for _ in range(args.steps):
        step()
    seconds = (time.perf_counter() - t0) / args.steps
    flops = 6 * n_params * B * T + 12 * L * B * T * T * D  # as experiments/commands/bench.cpp counts them
    print(f"torch config={args.config} pe={args.pe} threads={args.threads} params={n_params} "
          f"step_ms={seconds * 1e3:.2f} tokens_per_s={B * T / seconds:.0f} "
          f"gflops={flops / seconds / 1e9:.1f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    b = commands.add_parser("bench", help="time the benchmark step")
    b.add_argument("--config", choices=BENCH_CONFIGS, default="tiny")
    b.add_argument("--pe", choices=SCHEMES, default="rope")
    b.add_argument("--threads", type=int, default=1)
    b.add_argument("--steps", type=int, default=20, help="timed steps")
    b.add_argument("--warmup", type=int, default=3, help="untimed steps first")
    bench(parser.parse_args())


if __name__ == "__main__":
    main()
