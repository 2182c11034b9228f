#!/usr/bin/python3
"""The automated checks of an experiment assignment (docs/assignments/E1-nope-depth.md,
E2-rope-alibi.md).

    docs/assignments/check_experiment.py E1|E2 RUNS_DIR WRITEUP.md

What a script can check, it checks from the run files themselves (docs/run-file.md): that the
asked runs exist and completed, that they were trained with the asked settings, that the run
the assignment names reaches the asked in-distribution exact match, and that the write-up's
table holds the numbers of the run files (to 0.01). Each check is worth the points printed
beside it; the rest of the grade (the reading of the results) is the rubric of the
assignment's page. Exits 0 when every check passes, 1 otherwise, 2 on bad usage.
"""
import glob
import os
import re
import sys

import h5py
import numpy as np

PROG = "check_experiment.py"

# Each experiment: the runs vary one setting (`vary`) over `values`, with `settings` fixed; the
# runs named in `must_learn` must reach 0.99 exact match in distribution; `points` weighs the
# four checks. The write-up's table has one row per value, its first cell the value.
EXPERIMENTS = {
    # E1: does NoPE need depth? copy, no positional encoding, 1, 2 and 4 layers, quick.ini's
    # settings otherwise (docs/assignments/E1-nope-depth.md).
    "E1": {
        "vary": "n_layers",
        "values": [1, 2, 4],
        "settings": {"task": "copy", "pe": "none", "d_model": 32, "n_heads": 4, "steps": 4000,
                     "train_len_min": 1, "train_len_max": 10, "eval_len_max": 30, "bos": 1,
                     "seed": 0},
        "must_learn": [4],
        "points": {"runs": 2, "settings": 2, "learned": 2, "table": 4},
    },
    # E2: RoPE and ALiBi beyond the training length: copy with each, quick.ini's settings
    # otherwise (docs/assignments/E2-rope-alibi.md).
    "E2": {
        "vary": "pe",
        "values": ["rope", "alibi"],
        "settings": {"task": "copy", "n_layers": 4, "d_model": 32, "n_heads": 4, "steps": 4000,
                     "train_len_min": 1, "train_len_max": 10, "eval_len_max": 30, "bos": 1,
                     "seed": 0},
        "must_learn": ["rope", "alibi"],
        "points": {"runs": 2, "settings": 2, "learned": 2, "table": 4},
    },
}


def decode(v):
    return v.decode() if isinstance(v, bytes) else v


def read_run(path):
    with h5py.File(path, "r") as f:
        config = {k: decode(v) for k, v in f["config"].attrs.items()}
        status = decode(f.attrs.get("status", "?"))
        lengths = np.asarray(f["eval/lengths"])
        em = np.asarray(f["eval/exact_match"])
    last = em[-1] if len(em) else np.zeros(len(lengths))
    m = int(config["train_len_max"])
    in_dist = float(last[lengths <= m].mean()) if (lengths <= m).any() else 0.0
    beyond = float(last[lengths > m].mean()) if (lengths > m).any() else 0.0
    return config, status, in_dist, beyond


def table_rows(writeup, values):
    """{value: [two numbers]} of every Markdown table row whose first cell is one of `values`
    (written as the value, e.g. 4 or rope)."""
    wanted = {str(v): v for v in values}
    rows = {}
    with open(writeup, encoding="utf-8") as f:
        text = f.read()
    for line in text.splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[0] in wanted:
            try:
                rows[wanted[cells[0]]] = [float(c) for c in cells[1:3]]
            except ValueError:
                pass
    return rows


def main(argv):
    if len(argv) != 3 or argv[0] not in EXPERIMENTS:
        print(f"usage: {PROG} {'|'.join(EXPERIMENTS)} RUNS_DIR WRITEUP.md", file=sys.stderr)
        return 2
    name, runs_dir, writeup = argv
    e = EXPERIMENTS[name]
    if not os.path.isdir(runs_dir):
        print(f"{PROG}: RUNS_DIR {runs_dir} is not a directory", file=sys.stderr)
        return 2
    runs = {}
    by_text = {str(v): v for v in e["values"]}  # a run's setting, as text, to the asked value
    for path in sorted(glob.glob(os.path.join(runs_dir, "*.h5"))):
        try:
            config, status, in_dist, beyond = read_run(path)
        except (OSError, KeyError) as err:
            print(f"  skipped {os.path.basename(path)}: not a readable run file ({err})")
            continue
        # Another experiment's runs in the same directory are not this one's.
        if any(str(config.get(k)) != str(e["settings"][k]) for k in ("task", "pe")
               if k in e["settings"]):
            continue
        value = by_text.get(str(config.get(e["vary"])))
        if value is not None:
            runs[value] = (path, config, status, in_dist, beyond)

    score, total, lines = 0.0, 0.0, []

    def check(ok, points, text):
        nonlocal score, total
        total += points
        score += points if ok else 0
        lines.append(f"  [{'x' if ok else ' '}] {points:g} pt  {text}")

    missing = [v for v in e["values"] if v not in runs or runs[v][2] != "completed"]
    check(not missing, e["points"]["runs"],
          f"completed runs with {e['vary']} = {', '.join(map(str, e['values']))}"
          + (f" (missing or unfinished: {', '.join(map(str, missing))})" if missing else ""))
    wrong = []
    for v in e["values"]:
        if v not in runs:
            continue
        config = runs[v][1]
        for key, want in e["settings"].items():
            got = config.get(key)
            if str(got) != str(want):
                wrong.append(f"{e['vary']}={v}: {key} is {got}, asked {want}")
    check(not missing and not wrong, e["points"]["settings"],
          "trained with the asked settings" + (f" ({'; '.join(wrong[:3])})" if wrong else ""))
    targets = e["must_learn"]
    short = [f"{t}: {runs[t][3]:.3f}" if t in runs else f"{t}: no run" for t in targets
             if t not in runs or runs[t][3] < 0.99]
    check(not short, e["points"]["learned"],
          f"the {e['vary']} = {', '.join(map(str, targets))} "
          f"run{'s reach' if len(targets) > 1 else ' reaches'} 0.99 exact match in distribution"
          + (f" ({'; '.join(short)})" if short else ""))
    rows = table_rows(writeup, e["values"]) if os.path.exists(writeup) else {}
    bad = []
    for v in e["values"]:
        if v not in runs:
            continue
        want = [runs[v][3], runs[v][4]]
        got = rows.get(v)
        if got is None or any(abs(a - b) > 0.01 for a, b in zip(got, want)):
            bad.append(f"{e['vary']} = {v}: the table has {got}, the run files "
                       f"{[round(w, 2) for w in want]}")
    check(os.path.exists(writeup) and not missing and not bad, e["points"]["table"],
          "the write-up's table holds the run files' numbers (in-dist, beyond)"
          + (f" ({'; '.join(bad[:3])})" if bad else "")
          + ("" if os.path.exists(writeup) else f" (no {writeup})"))
    print(f"{name}: automated checks, {score:g} of {total:g} points")
    print("\n".join(lines))
    print("The rest of the grade is the rubric of the assignment's page.")
    return 0 if score == total else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
