"""Values the parameter files may not take, checked before anything runs.

The experiment and figure functions check what makes their arithmetic impossible; these
are the values that would run but give a wrong or useless site: a step size of zero (GD
never moves), a frame shown for 0 ms, an SGD run that does not exist (Python's -1 would
quietly draw the last one), or so many steps that the build runs for hours. The limits
are documented in the manual (docs/limits.md).
"""

# Must be greater than zero wherever they appear (lists: every item).
POSITIVE = frozenset(
    {
        "step_sizes",
        "anim_step_size",
        "step_fractions",
        "anim_step_fraction",
        "lr",
        "frame_ms",
    }
)
# Steps of an experiment without seeds: a GD run, whose animation draws a frame per step
# (~0.1 s, ~5 KB of page and ~5 MB of memory each: 200 frames stay under 1 MB and 1 GB).
MAX_STEPS = 200
# Networks (seeds) times SGD steps times hidden units (a step's cost grows with the width):
# ~0.055 us each on one core, so about a minute of training at the limit.
MAX_UNIT_STEPS = 1_000_000_000
# An animation frame lasts whole hundredths of a second in a GIF: 10 ms to a minute here.
FRAME_MS = (10, 60_000)


def problems(fields: dict) -> list[str]:
    """What is wrong with one experiment's parameters or one figure's options."""
    found = []
    for name in sorted(POSITIVE & set(fields)):
        values = fields[name] if isinstance(fields[name], tuple) else (fields[name],)
        if not all(v > 0 for v in values):
            found.append(f"{name} must be greater than 0, got {_show(fields[name])}")
    frame_ms = fields.get("frame_ms")
    if isinstance(frame_ms, int) and frame_ms > 0 and not FRAME_MS[0] <= frame_ms <= FRAME_MS[1]:
        found.append(f"frame_ms = {frame_ms:,} is not between {FRAME_MS[0]} and {FRAME_MS[1]:,} (a GIF frame's range)")
    steps = fields.get("steps")
    if isinstance(steps, int) and "seeds" in fields:
        width = fields.get("width", 1)
        cost = steps * len(fields["seeds"]) * (width if isinstance(width, int) and width > 0 else 1)
        if cost > MAX_UNIT_STEPS:
            found.append(
                f"steps x seeds x width = {cost:,} is above the limit of {MAX_UNIT_STEPS:,} "
                f"(about a minute of training on one core; see Limits in the manual)"
            )
    elif isinstance(steps, int) and steps > MAX_STEPS:
        found.append(
            f"steps = {steps:,} is above the limit of {MAX_STEPS:,} (an animation frame per step: "
            f"a frame each: the animation would weigh too much for the page; see Limits in the manual)"
        )
    return found


def run_index_problem(sgd_run: int, sgd_runs: int | None) -> str | None:
    """A figure's ``sgd_run`` must name one of its experiment's ``sgd_runs`` runs."""
    if sgd_runs is None:
        return "sgd_run is set but its experiment has no sgd_runs"
    if not 0 <= sgd_run < sgd_runs:
        return f"sgd_run = {sgd_run} is not one of the experiment's runs 0..{sgd_runs - 1}"
    return None


def _show(value) -> str:
    return "[" + ", ".join(map(repr, value)) + "]" if isinstance(value, tuple) else repr(value)
