#!/usr/bin/python3
"""Golden fixtures for the whole model, one per positional-encoding configuration.

Writes tests/fixtures/golden/<case>.h5, read by tests/models/golden_test.cpp. Run by hand (CI
has neither torch nor h5py; the generated files are committed):

    /usr/bin/python3 tests/golden/make_fixtures.py

Every case is a small model (V 11, D 16, H 2 or 4, L 2, F = 4D, max_len 32) on one batch
(B 3, T 9). The model is tests/golden/reference.py. Parameters are drawn in float32 as the
contract initialises them (N(0, 0.02) weights, zero biases, unit LayerNorm weights, fire.c 0.1),
then perturbed so that zeros and ones cannot hide a bug (a dropped bias, a LayerNorm weight
applied twice), and widened where the contract's scale would hide the positional signal (see
perturb()): with N(0, 0.02) query and key weights the scores are ~0.01 and attention is nearly
uniform, so removing RoPE altogether moved the logits by only ~20x the test's tolerance; with
N(0, 0.2) it moves them by ~1e4x, and a wrong frequency or scale shows in the logits, not only in
the gradients.

The golden values are computed in float64 from those float32 parameters: what the C++ test
measures is then pelab's own float32 rounding, not the sum of PyTorch's and pelab's. The same
computation in float32 PyTorch is also run, and its distance to the float64 values is stored
(attributes torch_f32_*), a yardstick for the test's tolerances.

Layout of a fixture (names as pelab writes them; see docs/model.md and `pelab grads`):
  /config                  attributes, one per ModelConfig field (experiments/run/model_options.cpp):
                           strings for pe, rope_style, rope_scaling; float64 for float fields;
                           int64 for integer fields. Also case (str), seed, batch_size, seq_len.
  /params/<name>           float32, the contract's names and shapes
  /batch/tokens, /batch/targets   int32 [B, T]
  /batch/loss_mask         float32 [B, T], 0 or 1 (some zeros)
  /batch/positions         float32 [T]: the positions every encoding reads (rope2d: row =
                           pos // grid_cols, col = pos % grid_cols); [B, T] in the *_coupled
                           cases, one row of task-assigned ids per sequence
  /logits                  float32 [B, T, V]
  /loss                    float64 scalar
  /grads/<name>            float32, d loss / d param
  /adamw/losses            float64 [5]: 5 steps on the same batch, each zero_grad, loss (recorded),
                           backward, clip_grad_norm_(1.0), AdamW step (lr 1e-2, betas (0.9,
                           0.999), eps 1e-8, weight decay 0.01 on parameters with dim >= 2 only,
                           foreach=False)
  root attributes          generator, torch_version, and torch_f32_logits, torch_f32_grads,
                           torch_f32_loss, torch_f32_adamw: the largest error of float32 PyTorch
                           against these float64 values, relative to the tensor's largest
                           element (logits; each gradient, the max over gradients, see grads_err)
                           or absolute (loss, adamw losses).
"""
import copy
import os
import sys
import zlib

try:
    import h5py
    import numpy as np
    import torch
except ImportError as e:
    sys.exit(f"make_fixtures.py needs PyTorch and h5py ({e}): sudo apt-get install python3-torch "
             "python3-h5py (Debian's), then run it with /usr/bin/python3")

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ beside the sources
import reference as R  # noqa: E402

OUT = os.path.join(HERE, "..", "fixtures", "golden")
B, T = 3, 9
STEPS = 5
LR, BETAS, EPS, WD, MAX_NORM = 1e-2, (0.9, 0.999), 1e-8, 0.01, 1.0

BASE = dict(vocab_size=11, d_model=16, n_heads=2, n_layers=2, d_ff=0, max_len=32)
CASES = [  # name, options beyond BASE
    ("none", dict(pe="none")),
    ("integer", dict(pe="integer")),
    ("normalized", dict(pe="normalized")),
    ("binary", dict(pe="binary")),
    ("sinusoidal", dict(pe="sinusoidal")),
    ("learned", dict(pe="learned")),
    # the position vector beside the token embedding instead of added to it (6 + 10 wide)
    ("integer_concat", dict(pe="integer", pe_combine="concat", pe_dim=10)),
    ("sinusoidal_concat", dict(pe="sinusoidal", pe_combine="concat", pe_dim=10)),
    ("learned_concat", dict(pe="learned", pe_combine="concat", pe_dim=6)),
    ("sinusoidal_concat_coupled", dict(pe="sinusoidal", pe_combine="concat", pe_dim=6,
                                       coupled=True)),
    ("rope", dict(pe="rope", rope_style="interleaved")),
    ("rope_half_fraction", dict(pe="rope", rope_style="half", rope_fraction=0.5)),
    ("rope_pi", dict(pe="rope", rope_scaling="pi", rope_scaling_factor=2.0)),
    ("rope_ntk", dict(pe="rope", rope_scaling="ntk", rope_scaling_factor=2.0)),
    ("rope_yarn", dict(pe="rope", rope_scaling="yarn", rope_scaling_factor=2.0, yarn_alpha=0.5,
                       yarn_beta=4.0, yarn_original_len=8)),
    ("xpos", dict(pe="xpos")),
    # a short decay base, so that zeta^(p / gamma) is far from 1 at these positions
    ("xpos_half_fast_decay", dict(pe="xpos", rope_style="half", xpos_scale_base=8.0)),
    ("rope2d", dict(pe="rope2d", grid_cols=3)),
    # axial RoPE with 2 axes (rope2d's layout), 3 axes (dh 12: 2 pairs each) and 4 axes
    # (dh 8: one pair each), on positions laid out on the grid shape
    ("rope_axial_2", dict(pe="rope-axial", grid_shape="4x3")),
    ("rope_axial_3", dict(pe="rope-axial", d_model=24, grid_shape="2x2x2")),
    ("rope_axial_4", dict(pe="rope-axial", grid_shape="2x2x2x2")),
    ("rope_axial_3_random_positions", dict(pe="rope-axial", d_model=24, grid_shape="3x2x2",
                                           random_positions=30)),
    ("alibi", dict(pe="alibi", n_heads=4)),
    ("alibi_6_heads", dict(pe="alibi", n_heads=6, d_model=24)),
    ("t5", dict(pe="t5", n_heads=4)),
    # distances 4..8 on the logarithmic buckets, 6 and beyond in the last bucket
    ("t5_few_buckets", dict(pe="t5", t5_buckets=8, t5_max_distance=6)),
    ("fire", dict(pe="fire", n_heads=4, fire_hidden=8, fire_threshold=3.0)),
    ("rope_random_positions", dict(pe="rope", random_positions=30)),
    ("learned_random_positions", dict(pe="learned", random_positions=30)),
    # the encodings that read distances, on distances up to 29
    ("alibi_random_positions", dict(pe="alibi", n_heads=4, random_positions=30)),
    ("t5_random_positions", dict(pe="t5", random_positions=30)),
    ("fire_random_positions", dict(pe="fire", fire_hidden=8, random_positions=30)),
    ("rope2d_random_positions", dict(pe="rope2d", grid_cols=3, random_positions=30)),
    # position ids a task assigns, one row per sequence (COUPLED_IDS): absolute and relative
    ("sinusoidal_coupled", dict(pe="sinusoidal", coupled=True)),
    ("learned_coupled", dict(pe="learned", coupled=True)),
    ("rope_coupled", dict(pe="rope", coupled=True)),
    ("alibi_coupled", dict(pe="alibi", n_heads=4, coupled=True)),
    ("t5_coupled", dict(pe="t5", n_heads=4, coupled=True)),
    ("fire_coupled", dict(pe="fire", n_heads=4, fire_hidden=8, coupled=True)),
]

# Coupled position ids (B, T) as pelab's tasks write them (docs/positions.md), each row its own:
#   addition reversed, n = 3:       a0 a1 a2 + b0 b1 b2 SEP s0      1 2 3 0 1 2 3 1 2
#   addition reversed, n = 2, offset 4:  a0 a1 + b0 b1 SEP s0 s1 (pad)  5 6 0 5 6 5 6 7 0
#   reverse, n = 4, offset 2:       x1 x2 x3 x4 SEP y1 y2 y3 (pad)  3 4 5 6 6 5 4 3 0
# Repeated ids, ids that fall, keys whose id is past their query's, and a padding id 0.
COUPLED_IDS = [[1, 2, 3, 0, 1, 2, 3, 1, 2],
               [5, 6, 0, 5, 6, 5, 6, 7, 0],
               [3, 4, 5, 6, 6, 5, 4, 3, 0]]

STRING_FIELDS = {k for k, v in R.DEFAULTS.items() if isinstance(v, str)}
FLOAT_FIELDS = {k for k, v in R.DEFAULTS.items() if isinstance(v, float)}


def perturb(model, gen):
    """After the contract's initialisation: LayerNorm weights 1 + N(0, 0.1), every bias (LayerNorm
    biases too) N(0, 0.02). Attention sharpened: attn.qkv.weight times 10 (N(0, 0.2)), so that
    scores are O(1) and positions matter. The encodings' own parameters drawn wider, so that they
    move the logits well above the test's tolerance: rel_bias N(0, 0.5), FIRE's MLP weights
    N(0, 0.5) and biases N(0, 0.2), fire.c 0.1 + U(0, 0.1)."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            def noise(std):
                return torch.randn(p.shape, generator=gen) * std
            if name == "fire.c":
                p.add_(torch.rand(p.shape, generator=gen) * 0.1)
            elif name.startswith("fire.mlp"):
                p.copy_(noise(0.5 if name.endswith(".weight") else 0.2))
            elif name.endswith("attn.qkv.weight"):
                p.mul_(10.0)
            elif name == "rel_bias.weight":
                p.copy_(noise(0.5))
            elif ".ln" in name or name.startswith("ln_f."):
                p.add_(noise(0.1) if name.endswith(".weight") else noise(0.02))
            elif name.endswith(".bias"):
                p.add_(noise(0.02))


def adamw_losses(model, tokens, targets, mask, positions):
    """STEPS steps of AdamW on one batch; the loss before each update."""
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": WD},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=LR, betas=BETAS, eps=EPS, foreach=False)
    losses = []
    for _ in range(STEPS):
        opt.zero_grad(set_to_none=True)
        loss = R.masked_loss(model(tokens, positions), targets, mask)
        losses.append(loss.item())
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), MAX_NORM)
        opt.step()
    return np.array(losses)


def evaluate(model, tokens, targets, mask, positions):
    model.zero_grad(set_to_none=True)
    logits = model(tokens, positions)
    loss = R.masked_loss(logits, targets, mask)
    loss.backward()
    grads = {n: p.grad.detach().clone() for n, p in model.named_parameters()}
    return logits.detach(), loss.item(), grads


def rel_err(a, b, floor=0.0):
    """max |a - b| / max(max |b|, floor)."""
    scale = max(b.abs().max().item(), floor)
    return (a.double() - b.double()).abs().max().item() / (scale if scale > 0 else 1.0)


def grads_err(a, b):
    """The largest rel_err over the gradient tensors, each against max(its own largest element,
    5e-4 x the largest gradient element of the model): gradients that are 0 in exact arithmetic
    (softmax ignores a constant added to a row of scores: fire.mlp.proj.bias) come out of
    float32 as noise, measured against the model's gradient scale. The same measure as the C++
    test's report (its atol / rtol = 5e-8 G / 1e-4)."""
    floor = 5e-4 * max(g.abs().max().item() for g in b.values())
    return max(rel_err(a[n], g, floor) for n, g in b.items())


# ---------------------------------------------------------------- HDF5 (reproducible bytes)

def create_file(path):
    """Like h5py.File(path, "w"), in the HDF5 1.8 format and without modification times, so that
    rerunning this script rewrites the same bytes."""
    fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
    fapl.set_libver_bounds(h5py.h5f.LIBVER_V18, h5py.h5f.LIBVER_LATEST)
    fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
    fcpl.set_obj_track_times(False)
    return h5py.File(h5py.h5f.create(path.encode(), h5py.h5f.ACC_TRUNC, fapl=fapl, fcpl=fcpl))


def group(parent, name):
    if name in parent:
        return parent[name]
    gcpl = h5py.h5p.create(h5py.h5p.GROUP_CREATE)
    gcpl.set_obj_track_times(False)
    return h5py.Group(h5py.h5g.create(parent.id, name.encode(), gcpl=gcpl))


def dataset(parent, path, data, dtype):
    """parent/path; dataset names hold dots, so split on '/' only."""
    *groups_, name = path.strip("/").split("/")
    for g in groups_:
        parent = group(parent, g)
    return parent.create_dataset(name, data=np.asarray(data, dtype=dtype), track_times=False)


# ---------------------------------------------------------------- one case

def make_case(name, options):
    options = dict(options)
    coupled = options.pop("coupled", False)
    cfg = R.make_config(**{**BASE, **options})
    seed = zlib.crc32(name.encode())
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed + 1)
    model32 = R.GPT(cfg)  # the contract's initialisation, from torch's global generator
    perturb(model32, gen)

    tokens = torch.randint(0, cfg["vocab_size"], (B, T), generator=gen, dtype=torch.int32)
    targets = torch.randint(0, cfg["vocab_size"], (B, T), generator=gen, dtype=torch.int32)
    mask = (torch.rand((B, T), generator=gen) < 0.7).float()
    mask[0, 0], mask[B - 1, T - 1] = 0.0, 1.0  # some zeros, some ones
    if cfg["random_positions"] > 0:  # sorted distinct integers from [0, M)
        pos = torch.randperm(cfg["random_positions"], generator=gen)[:T].sort().values.float()
    elif coupled:
        pos = torch.tensor(COUPLED_IDS, dtype=torch.float32)
    else:
        pos = torch.arange(T, dtype=torch.float32)

    params = {n: p.detach().clone() for n, p in model32.named_parameters()}
    model64 = copy.deepcopy(model32).double()
    logits, loss, grads = evaluate(model64, tokens, targets, mask, pos)
    logits32, loss32, grads32 = evaluate(model32, tokens, targets, mask, pos)
    losses = adamw_losses(model64, tokens, targets, mask, pos)
    losses32 = adamw_losses(model32, tokens, targets, mask, pos)
    assert abs(losses[0] - loss) < 1e-12

    path = os.path.join(OUT, f"{name}.h5")
    with create_file(path) as f:
        f.attrs["generator"] = "tests/golden/make_fixtures.py"
        f.attrs["torch_version"] = str(torch.__version__)
        f.attrs["torch_f32_logits"] = rel_err(logits32, logits)
        f.attrs["torch_f32_grads"] = grads_err(grads32, grads)
        f.attrs["torch_f32_loss"] = abs(loss32 - loss)
        f.attrs["torch_f32_adamw"] = float(np.abs(losses32 - losses).max())
        c = group(f, "config")
        for key, value in cfg.items():
            if key in STRING_FIELDS:
                c.attrs[key] = str(value)
            elif key in FLOAT_FIELDS:
                c.attrs[key] = np.float64(value)
            else:
                c.attrs[key] = np.int64(value)
        c.attrs["case"] = name
        c.attrs["seed"] = np.int64(seed)
        c.attrs["batch_size"] = np.int64(B)
        c.attrs["seq_len"] = np.int64(T)
        for n, p in params.items():
            dataset(f, f"params/{n}", p.numpy(), np.float32)
        dataset(f, "batch/tokens", tokens.numpy(), np.int32)
        dataset(f, "batch/targets", targets.numpy(), np.int32)
        dataset(f, "batch/loss_mask", mask.numpy(), np.float32)
        dataset(f, "batch/positions", pos.numpy(), np.float32)
        dataset(f, "logits", logits.numpy(), np.float32)
        dataset(f, "loss", np.float64(loss), np.float64)
        for n, g in grads.items():
            dataset(f, f"grads/{n}", g.numpy(), np.float32)
        dataset(f, "adamw/losses", losses, np.float64)
    print(f"{name:28s} {os.path.getsize(path):6d} bytes  loss {loss:.6f}  "
          f"f32 torch: logits {rel_err(logits32, logits):.1e} "
          f"grads {grads_err(grads32, grads):.1e} "
          f"adamw {np.abs(losses32 - losses).max():.1e}")


def main():
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    only = set(sys.argv[1:])
    for name, options in CASES:
        if not only or name in only:
            make_case(name, options)


if __name__ == "__main__":
    main()
