"""Values the parameter files may not take, checked before anything runs.

The experiment and figure functions check what makes their arithmetic impossible; these
are the values that would run but give a wrong or useless site in any course: a step
size or learning rate of zero (descent never moves), a frame shown for 0 ms, an SGD run
that does not exist (Python's -1 would quietly draw the last one), an animation too
heavy for its page. What costs hours in one course's experiments and seconds in
another's is that course's to say: a parameter dataclass may define ``limits()``, the
problems of its own values (``stages/parameters.py`` asks it). The limits are documented
in the manual (docs/limits.md).
"""

# Must be greater than zero wherever they appear (lists: every item).
POSITIVE = frozenset(
    {
        "step_size",
        "step_sizes",
        "anim_step_size",
        "step_fractions",
        "anim_step_fraction",
        "lr",
        "learning_rate",
        "frame_ms",
    }
)
# An animation's frames: ~5 KB of page and ~4 MB of memory each while it is drawn, so
# 200 stay under 1 MB and 1 GB (figures.style.FrameGrabber stops at the next one).
MAX_FRAMES = 200
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
