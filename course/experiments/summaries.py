"""Summaries: the numbers a page states that compare several experiments.

A summary takes the results of the experiments its parameter file lists (in that
order) and returns named arrays, like an experiment; the pipeline runs it once they
are all done, caches it under a key of its code and their result bytes, and the pages
read it as ``results.<name>``. So a page never has to compute anything itself: which
configuration is best, how many runs improved, the largest of anything is decided here,
and templates only format it.
"""

import numpy as np

from course.experiments.relu import KNOTS, NEAR_KINK, RatePairs, early_snapshot, near_kink_chance, near_kink_share


def relu_sweep(many: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Section 2's configurations side by side, ordered by width, then all layers before
    the output layer only (from the results themselves, whatever order they are listed in).

    Per configuration (C,): widths, output_only, shown_seed, elbow_displacement_p50 (the
    median over seeds of each seed's median elbow displacement), train_mse_p50_first and
    train_mse_p50_last (median training MSE at the first and last snapshot) and
    test_mse_p50_last. Over all: n_configs; best, the configuration with the lowest
    median final test MSE, with best_width, best_output_only and best_test_mse;
    improved, how many configurations end with a lower median training MSE than they
    started with, and all_improved; output_only_elbow_travel_max, the largest distance any elbow of any
    output-only run moved from where it started (0: they are fixed), and
    output_only_elbows_fixed; n_seeds and steps, which all configurations share.

    Whether the elbows move to the target's kinks, per configuration: near_kink_first and
    near_kink_last, the share of all elbows (every unit of every seed) within NEAR_KINK
    of a knot x = n / 10 at the first and the last snapshot, against near_kink_chance,
    the share of [0, 1] within NEAR_KINK of a knot (where elbows drawn uniformly land);
    near_kink_tol is NEAR_KINK. test_knots_x: the test points that are knots.

    Where the two regimes' median training MSE curves cross: crossed_widths, the widths
    at which training all layers, once above the output layer only, ends below it, and
    crossed_steps, the first snapshot step from which it stays below.
    """
    runs = sorted(many, key=lambda r: (int(r["width"]), bool(r["output_only"])))
    for key in ("n_seeds", "steps"):
        if len({int(r[key]) for r in runs}) != 1:
            raise ValueError(f"the configurations differ in {key}")
    first = np.array([r["train_mse_p50"][0] for r in runs])
    last = np.array([r["train_mse_p50"][-1] for r in runs])
    test_last = np.array([r["test_mse_p50"][-1] for r in runs])
    best = int(np.argmin(test_last))
    fixed = [float(r["elbow_travel_max"]) for r in runs if bool(r["output_only"])]
    travel = max(fixed) if fixed else 0.0
    near_first = np.array([near_kink_share(r["elbows"][:, 0]) for r in runs])
    near_last = np.array([near_kink_share(r["elbows"][:, -1]) for r in runs])
    x_test = runs[0]["x_test"]
    pairs = _pairs(runs)
    crossed = [_crossing(a, o) for a, o in pairs]
    return {
        "crossed_widths": np.array([int(a["width"]) for (a, _), c in zip(pairs, crossed) if c >= 0], dtype=np.int64),
        "crossed_steps": np.array([c for c in crossed if c >= 0], dtype=np.int64),
        "near_kink_first": near_first,
        "near_kink_last": near_last,
        "near_kink_chance": np.array(near_kink_chance()),
        "near_kink_tol": np.array(NEAR_KINK),
        "test_knots_x": x_test[np.isin(x_test, KNOTS)],
        "n_configs": np.array(len(runs), dtype=np.int64),
        "widths": np.array([int(r["width"]) for r in runs], dtype=np.int64),
        "output_only": np.array([bool(r["output_only"]) for r in runs]),
        "shown_seed": np.array([int(r["shown_seed"]) for r in runs], dtype=np.int64),
        "elbow_displacement_p50": np.array([float(r["elbow_displacement_p50"]) for r in runs]),
        "train_mse_p50_first": first,
        "train_mse_p50_last": last,
        "test_mse_p50_last": test_last,
        "best": np.array(best, dtype=np.int64),
        "best_width": np.array(int(runs[best]["width"]), dtype=np.int64),
        "best_output_only": np.array(bool(runs[best]["output_only"])),
        "best_test_mse": np.array(test_last[best]),
        "improved": np.array(int(np.sum(last < first)), dtype=np.int64),
        "all_improved": np.array(bool(np.all(last < first))),
        "output_only_elbow_travel_max": np.array(travel),
        "output_only_elbows_fixed": np.array(bool(fixed) and travel == 0.0),
        "n_seeds": np.array(int(runs[0]["n_seeds"]), dtype=np.int64),
        "steps": np.array(int(runs[0]["steps"]), dtype=np.int64),
    }


def _pairs(runs):
    """(all layers, output layer only) of each width that has both, by width."""
    by = {(int(r["width"]), bool(r["output_only"])): r for r in runs}
    return [(by[w, False], by[w, True]) for w in sorted({w for w, _ in by}) if (w, False) in by and (w, True) in by]


def _crossing(all_layers, output_only) -> int:
    """The first snapshot step from which all layers' median training MSE stays below the
    output layer only's, if it was above it before; -1 if it never crosses below."""
    a, o = all_layers["train_mse_p50"], output_only["train_mse_p50"]
    below = a < o
    if not below[-1] or below.all() or not (a > o).any():
        return -1
    start = len(below) - np.argmin(below[::-1])  # after the last snapshot not below
    return int(all_layers["snap_steps"][start])


def same_sgd_runs(many: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Whether the optimiser comparison's SGD runs (first experiment) are bit for bit the
    runs of a relu_sgd experiment (second): their errors at every snapshot of every seed."""
    opt, run = many
    same = all(
        opt[f"sgd_{split}"].shape == run[split].shape and np.array_equal(opt[f"sgd_{split}"], run[split])
        for split in ("train_mse", "test_mse")
    )
    return {"identical": np.array(same)}


def relu_rates(many: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """The two regimes at the notebook's rates and at one rate, width by width.

    ``many``: per width, the all-layers run and the output-only runs at its rate and at
    another (any order). The median training MSE over seeds of each, at early_step (the
    snapshot nearest a tenth of the run) and at the last: all_early, out_early,
    common_early and all_last, out_last, common_last (W,), for widths (W,); lr_all and
    lr_out, the all-layers rate and the other output-only rate, and rate_ratio, lr_out
    over lr_all. head_start_is_the_rate: at early_step, at every width, the output
    layer alone is ahead of all layers at lr_out and not ahead at lr_all.
    """
    pairs = RatePairs.of(many)
    steps = many[0]["snap_steps"]
    early = early_snapshot(steps)
    out = {"widths": np.array(pairs.widths, dtype=np.int64), "early_step": np.array(int(steps[early]), dtype=np.int64)}
    for name, pick in (
        ("all", pairs.all_layers),
        ("out", lambda w: pairs.output_only(w, common=False)),
        ("common", lambda w: pairs.output_only(w, common=True)),
    ):
        runs = [pick(w) for w in pairs.widths]
        out[f"{name}_early"] = np.array([float(np.median(r["train_mse"][:, early])) for r in runs])
        out[f"{name}_last"] = np.array([float(np.median(r["train_mse"][:, -1])) for r in runs])
    ahead = bool(np.all(out["out_early"] < out["all_early"]) and np.all(out["common_early"] >= out["all_early"]))
    return {
        **out,
        "lr_all": np.array(pairs.lr_all),
        "lr_out": np.array(pairs.lr_out),
        "rate_ratio": np.array(pairs.lr_out / pairs.lr_all),
        "head_start_is_the_rate": np.array(ahead),
    }


SUMMARIES = {"relu_sweep": relu_sweep, "same_sgd_runs": same_sgd_runs, "relu_rates": relu_rates}
