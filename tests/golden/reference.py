#!/usr/bin/python3
"""pelab's model (docs/model.md) in PyTorch, with every positional encoding.

The golden reference for tests/models/golden_test.cpp: tests/golden/make_fixtures.py builds
models with this module and writes what they compute into tests/fixtures/golden/*.h5.

Each scheme is written from its definition (docs/model.md, and the header comments of
models/encodings/<name>.cpp and models/encodings/rope_frequencies.h for pelab's extensions),
not from pelab's C++ loops, and where PyTorch offers a different way to say the same thing it is
used (rotations as complex multiplications, FIRE's derivative in c by autograd, ALiBi's slopes
by Press et al.'s own recipe, T5's buckets as in the T5 code), so that agreement means two
implementations agree, not one implementation copied twice.

The model is built in float32 (state_dict names and shapes of docs/model.md) and can be cast
with .double(): make_fixtures.py computes the golden values in float64 so that what the C++ test
sees is pelab's own float32 error, not the sum of two float32 errors.

Positions are explicit: forward(tokens, positions) takes a float tensor of T positions, used by
every scheme that reads positions (sequential positions are arange(T); randomized positions
are simply other positions). rope2d reads row = pos // grid_cols, col = pos % grid_cols.

Needs PyTorch: Debian's python3-torch (sudo apt-get install python3-torch), run with
/usr/bin/python3.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

# pelab's ModelConfig (models/config.h), field by field, in the order of model_fields()
# (experiments/run/model_options.cpp): the /config attribute names of a pelab file.
DEFAULTS = {
    "vocab_size": 16,
    "d_model": 64,
    "n_heads": 4,
    "n_layers": 2,
    "d_ff": 0,  # 0: 4 * d_model
    "max_len": 512,
    "pe": "rope",
    "pe_combine": "add",  # add | concat (the additive schemes)
    "pe_dim": 16,  # with concat: the position vector's width
    "rope_base": 10000.0,
    "rope_style": "interleaved",
    "rope_fraction": 1.0,
    "rope_scaling": "none",
    "rope_scaling_factor": 1.0,
    "yarn_alpha": 1.0,
    "yarn_beta": 32.0,
    "yarn_original_len": 0,  # 0: max_len
    "xpos_scale_base": 512.0,
    "grid_cols": 8,
    "grid_shape": "8x8",
    "fire_hidden": 32,
    "fire_threshold": 1.0,
    "t5_buckets": 32,
    "t5_max_distance": 128,
    "random_positions": 0,
}
SCHEMES = ["none", "integer", "normalized", "binary", "sinusoidal", "learned", "rope", "xpos",
           "rope2d", "rope-axial", "alibi", "t5", "fire"]
ADDITIVE = {"integer", "normalized", "binary", "sinusoidal"}
ROTARY = {"rope", "xpos", "rope2d", "rope-axial"}


def make_config(**kw):
    unknown = set(kw) - set(DEFAULTS)
    if unknown:
        raise ValueError(f"unknown options {sorted(unknown)}")
    cfg = dict(DEFAULTS)
    cfg.update(kw)
    if cfg["pe"] not in SCHEMES:
        raise ValueError(f"unknown pe {cfg['pe']}")
    return cfg


def d_ff(cfg):
    return cfg["d_ff"] if cfg["d_ff"] > 0 else 4 * cfg["d_model"]


def head_dim(cfg):
    return cfg["d_model"] // cfg["n_heads"]


# ------------------------------------------------------------ additive encodings (docs/model.md)

def position_width(cfg):
    """The width of an additive scheme's position vector: d_model, or pe_dim when it is
    concatenated to a token embedding d_model - pe_dim wide."""
    return cfg["pe_dim"] if cfg["pe_combine"] == "concat" else cfg["d_model"]


def join(cfg, x, P):
    """The token embeddings x (B, T, D_e) and the position vectors P (T, W) joined: x + P, or
    [x ; P] along the features with --pe-combine concat."""
    if cfg["pe_combine"] == "concat":
        return torch.cat([x, P.expand(x.shape[0], -1, -1)], dim=-1)
    return x + P


def additive_table(cfg, pos, dtype):
    """P (T, W) for integer | normalized | binary | sinusoidal, from the positions pos (T,);
    W = position_width(cfg)."""
    pe, D, T = cfg["pe"], position_width(cfg), pos.shape[0]
    i = torch.arange(D)
    sign = torch.where(i % 2 == 0, 1.0, -1.0).to(dtype)  # (-1)^i
    p = pos.to(dtype)[:, None]
    if pe == "integer":  # P[p, i] = p (-1)^i
        return p * sign
    if pe == "normalized":  # P[p, i] = (p / N) (-1)^i, N the length of the sequence
        return (p / T) * sign
    if pe == "binary":  # P[p, i] = bit i of p, least significant first; 0 past bit 31
        ip = pos.to(torch.int64)[:, None]
        bits = torch.bitwise_and(torch.bitwise_right_shift(ip, i.clamp(max=31)), 1)
        return torch.where(i <= 31, bits, torch.zeros_like(bits)).to(dtype)
    if pe == "sinusoidal":  # P[p, 2k] = sin(p / 10000^(2k/D)), P[p, 2k+1] = cos(same)
        two_k = (i - i % 2).to(dtype)
        angle = p / torch.pow(torch.tensor(10000.0, dtype=dtype), two_k / D)
        return torch.where(i % 2 == 0, torch.sin(angle), torch.cos(angle))
    raise ValueError(pe)


# ---------------------------------------------------------------- rotary encodings

def rotated_pairs(cfg):
    """round(rope_fraction * dh / 2) with Python's round (half to even), as docs/model.md and
    experiments/torch_ref.py count them (rope_frequencies.h)."""
    return round(cfg["rope_fraction"] * head_dim(cfg) / 2)


def rope_angles(cfg, dims, n_pairs, pos, dtype):
    """Angles (T, n_pairs) and the magnitude on cos/sin, for pair j of a frequency ladder over
    `dims` dimensions, w_j = base^(-2j/dims), with the evaluation-time scaling of
    rope_frequencies.h / docs/model.md applied:
      pi:   positions divided by the factor s
      ntk:  base multiplied by s^(dims / (dims - 2))
      yarn: w_j' = (1 - g_j) w_j / s + g_j w_j, g_j = clamp((L / lambda_j - alpha) / (beta - alpha),
            0, 1), lambda_j = 2 pi / w_j, L = yarn_original_len (or max_len); cos and sin scaled
            by m = 0.1 ln s + 1 (so the scores by m^2)."""
    scaling, s = cfg["rope_scaling"], float(cfg["rope_scaling_factor"])
    base = float(cfg["rope_base"])
    if scaling == "ntk":
        base = base * s ** (dims / (dims - 2))
    w = torch.tensor([base ** (-2.0 * j / dims) for j in range(n_pairs)], dtype=torch.float64)
    magnitude = 1.0
    if scaling == "yarn":
        L = cfg["yarn_original_len"] if cfg["yarn_original_len"] > 0 else cfg["max_len"]
        wavelength = 2 * math.pi / w
        ramp = ((L / wavelength - cfg["yarn_alpha"]) / (cfg["yarn_beta"] - cfg["yarn_alpha"]))
        ramp = ramp.clamp(0.0, 1.0)
        w = (1 - ramp) * (w / s) + ramp * w
        magnitude = 0.1 * math.log(s) + 1.0
    p = pos.to(dtype)
    if scaling == "pi":
        p = p / s
    return p[:, None] * w.to(dtype)[None, :], magnitude


def rotate(x, angle, scale, style):
    """x (B, H, T, dh): pair j (dims 2j, 2j+1 interleaved; j, j + dh/2 half) of the first P
    pairs, read as the complex number x1 + i x2, multiplied by scale e^(i angle), with angle and
    scale (T, P). The other dimensions pass through."""
    dh, P = x.shape[-1], angle.shape[-1]
    first = torch.arange(P) * 2 if style == "interleaved" else torch.arange(P)
    second = first + 1 if style == "interleaved" else first + dh // 2
    z = torch.complex(x[..., first], x[..., second])
    z = z * torch.polar(scale.to(angle.dtype).expand_as(angle), angle)
    out = x.clone()
    out[..., first] = z.real
    out[..., second] = z.imag
    return out


def grid(cfg, pos):
    cols = cfg["grid_cols"]
    row = torch.div(pos, cols, rounding_mode="floor")
    return row, pos - row * cols


def rotary_tables(cfg, pos, dtype):
    """(angle, scale_q, scale_k), each (T, P), of the rotary scheme cfg['pe']."""
    dh, P = head_dim(cfg), rotated_pairs(cfg)
    if cfg["pe"] == "rope":
        angle, m = rope_angles(cfg, dh, P, pos, dtype)
        scale = torch.full_like(angle, m)
        return angle, scale, scale
    if cfg["pe"] == "xpos":
        # q scaled by zeta_j^(p / gamma), k by zeta_j^(-p / gamma), zeta_j = (2j/dh + 0.4) / 1.4
        angle, m = rope_angles(cfg, dh, P, pos, dtype)
        zeta = (2.0 * torch.arange(P, dtype=torch.float64) / dh + 0.4) / 1.4
        e = pos.to(torch.float64)[:, None] / cfg["xpos_scale_base"]
        return angle, (m * zeta ** e).to(dtype), (m * zeta ** (-e)).to(dtype)
    if cfg["pe"] == "rope2d":
        # first P/2 pairs turn with the row, the rest with the column, each on a ladder over dh/2
        n_row = P // 2
        row, col = grid(cfg, pos)
        a_row, m_row = rope_angles(cfg, dh // 2, n_row, row, dtype)
        a_col, m_col = rope_angles(cfg, dh // 2, P - n_row, col, dtype)
        angle = torch.cat([a_row, a_col], dim=1)
        scale = torch.cat([torch.full_like(a_row, m_row), torch.full_like(a_col, m_col)], dim=1)
        return angle, scale, scale
    if cfg["pe"] == "rope-axial":
        # A axes; axis a turns pairs [floor(aP/A), floor((a+1)P/A)) by its coordinate, on a
        # ladder over dh/A dimensions. Coordinates: the position unravelled over grid_shape,
        # last axis fastest, the first axis unbounded.
        sizes = [int(s) for s in cfg["grid_shape"].split("x")]
        A = len(sizes)
        coords, rest = [None] * A, pos.to(torch.int64)
        for a in range(A - 1, 0, -1):
            coords[a] = torch.remainder(rest, sizes[a])
            rest = torch.div(rest, sizes[a], rounding_mode="floor")
        coords[0] = rest
        angles, scales = [], []
        for a in range(A):
            n = (a + 1) * P // A - a * P // A
            angle_a, m_a = rope_angles(cfg, dh // A, n, coords[a], dtype)
            angles.append(angle_a)
            scales.append(torch.full_like(angle_a, m_a))
        angle, scale = torch.cat(angles, dim=1), torch.cat(scales, dim=1)
        return angle, scale, scale
    raise ValueError(cfg["pe"])


# ---------------------------------------------------------------- score biases

def alibi_slopes(n):
    """Press et al.'s get_slopes (github.com/ofirpress/attention_with_linear_biases)."""
    def power_of_2(n):
        start = 2 ** (-2 ** -(math.log2(n) - 3))
        return [start * start ** i for i in range(n)]
    if math.log2(n).is_integer():
        return power_of_2(n)
    closest = 2 ** math.floor(math.log2(n))
    return power_of_2(closest) + alibi_slopes(2 * closest)[0::2][: n - closest]


def t5_bucket(relative_position, num_buckets, max_distance):
    """T5's _relative_position_bucket with bidirectional=False; relative_position = j - i
    (memory - query), so n = max(i - j, 0)."""
    n = torch.clamp(-relative_position, min=0)
    max_exact = num_buckets // 2
    is_small = n < max_exact
    large = max_exact + (torch.log(n.double().clamp(min=1) / max_exact)
                         / math.log(max_distance / max_exact)
                         * (num_buckets - max_exact)).to(torch.int64)
    large = torch.clamp(large, max=num_buckets - 1)
    return torch.where(is_small, n, large)


class Fire(nn.Module):
    """FIRE (Li et al. 2023): bias[h, i, j] = MLP(psi(p_i - p_j) / psi(max(L, p_i)))[h],
    psi(x) = log(c x + 1), c learned; MLP 1 -> hidden (ReLU) -> H."""

    def __init__(self, cfg):
        super().__init__()
        self.threshold = float(cfg["fire_threshold"])
        self.mlp = nn.Module()
        self.mlp.fc = nn.Linear(1, cfg["fire_hidden"])
        self.mlp.proj = nn.Linear(cfg["fire_hidden"], cfg["n_heads"])
        self.c = nn.Parameter(torch.empty(1))

    def forward(self, pos):
        p = pos.to(self.c.dtype)
        pi, pj = p[:, None], p[None, :]

        def psi(x):
            return torch.log(self.c * x + 1)
        # Only j <= i is ever used (causal); distances above the diagonal are set to 0 so that
        # no NaN from log of a negative number reaches the gradient through the mask.
        dist = torch.where(pj <= pi, pi - pj, torch.zeros_like(pi - pj))
        f = psi(dist) / psi(torch.clamp(pi, min=self.threshold))   # (T_i, T_j)
        out = self.mlp.proj(F.relu(self.mlp.fc(f[..., None])))     # (T_i, T_j, H)
        return out.permute(2, 0, 1)                                 # (H, T_i, T_j)


# ---------------------------------------------------------------- the Transformer

class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        D = cfg["d_model"]
        self.ln1, self.ln2 = nn.LayerNorm(D, eps=1e-5), nn.LayerNorm(D, eps=1e-5)
        self.attn = nn.Module()
        self.attn.qkv, self.attn.proj = nn.Linear(D, 3 * D), nn.Linear(D, D)
        self.mlp = nn.Module()
        self.mlp.fc, self.mlp.proj = nn.Linear(D, d_ff(cfg)), nn.Linear(d_ff(cfg), D)

    def forward(self, x, H, rot, bias):
        B, T, D = x.shape
        q, k, v = self.attn.qkv(self.ln1(x)).split(D, dim=2)
        q, k, v = [t.reshape(B, T, H, D // H).transpose(1, 2) for t in (q, k, v)]
        if rot is not None:
            angle, scale_q, scale_k, style = rot
            q, k = rotate(q, angle, scale_q, style), rotate(k, angle, scale_k, style)
        s = (q @ k.transpose(-2, -1)) / math.sqrt(D // H)
        if bias is not None:
            s = s + bias
        causal = torch.ones(T, T, dtype=torch.bool).triu(1)
        y = s.masked_fill(causal, float("-inf")).softmax(-1) @ v
        x = x + self.attn.proj(y.transpose(1, 2).reshape(B, T, D))
        return x + self.mlp.proj(F.gelu(self.mlp.fc(self.ln2(x)), approximate="tanh"))


class GPT(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        V, D, H = cfg["vocab_size"], cfg["d_model"], cfg["n_heads"]
        if D % H:
            raise ValueError("d_model must be divisible by n_heads")
        W = position_width(cfg)
        self.tok_emb = nn.Embedding(V, D - W if cfg["pe_combine"] == "concat" else D)
        if cfg["pe"] == "learned":
            self.pos_emb = nn.Embedding(cfg["max_len"], W)
        if cfg["pe"] == "t5":
            self.rel_bias = nn.Embedding(cfg["t5_buckets"], H)
        if cfg["pe"] == "fire":
            self.fire = Fire(cfg)
        self.blocks = nn.ModuleList([Block(cfg) for _ in range(cfg["n_layers"])])
        self.ln_f = nn.LayerNorm(D, eps=1e-5)
        self.lm_head = nn.Linear(D, V, bias=False)
        self.reset_parameters()

    def reset_parameters(self):
        """docs/model.md's initialisation: N(0, 0.02) weights, zero biases, unit LayerNorm
        weights; FIRE's c starts at 0.1. Draws from torch's global generator."""
        for name, p in self.named_parameters():
            with torch.no_grad():
                if name == "fire.c":
                    p.fill_(0.1)
                elif name.endswith(".bias"):
                    p.zero_()
                elif ".ln" in name or name.startswith("ln_f."):
                    p.fill_(1.0)
                else:
                    p.normal_(0.0, 0.02)

    def forward(self, tokens, positions=None):
        """tokens (B, T) int -> logits (B, T, V); positions (T,) float, default 0..T-1, or
        (B, T), one row per sequence (ids a task assigns): then each sequence is run on its own
        with its row, which is what positions per sequence mean."""
        if positions is not None and positions.dim() == 2:
            return torch.cat([self.forward(tokens[b:b + 1], positions[b])
                              for b in range(tokens.shape[0])])
        cfg = self.cfg
        pe = cfg["pe"]
        B, T = tokens.shape
        dtype = self.tok_emb.weight.dtype
        pos = torch.arange(T, dtype=torch.float64) if positions is None else positions.double()
        x = self.tok_emb(tokens.long())
        if pe in ADDITIVE:
            x = join(cfg, x, additive_table(cfg, pos, dtype))
        if pe == "learned":
            if pos.max() >= cfg["max_len"]:
                raise IndexError("position past the learned table")
            x = join(cfg, x, self.pos_emb(pos.long()))
        rot = None
        if pe in ROTARY:
            angle, sq, sk = rotary_tables(cfg, pos, dtype)
            rot = (angle, sq, sk, cfg["rope_style"])
        bias = None
        if pe == "alibi":  # bias[h, i, j] = -m_h (p_i - p_j)
            m = torch.tensor(alibi_slopes(cfg["n_heads"]), dtype=dtype)
            bias = -m[:, None, None] * (pos[:, None] - pos[None, :]).to(dtype)
        if pe == "t5":
            rel = (pos[None, :] - pos[:, None]).round().long()  # j - i at [i, j]
            buckets = t5_bucket(rel, cfg["t5_buckets"], cfg["t5_max_distance"])
            bias = self.rel_bias(buckets).permute(2, 0, 1)  # (H, T_i, T_j)
        if pe == "fire":
            bias = self.fire(pos)
        for block in self.blocks:
            x = block(x, cfg["n_heads"], rot, bias)
        return self.lm_head(self.ln_f(x))


def masked_loss(logits, targets, mask):
    """Mean cross-entropy over the positions with loss_mask = 1."""
    ce = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1).long(),
                         reduction="none")
    m = mask.reshape(-1).to(ce.dtype)
    return (ce * m).sum() / m.sum()


def build_model(**kw):
    return GPT(make_config(**kw))
