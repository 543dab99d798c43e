"""Which solutions a build publishes.

Each worksheet releases its solutions on its own date (front matter ``solutions:``). The
``scheduled`` edition, the default, shows a worksheet's solutions once that time has
passed at the build's clock, and the student edition of it before. The clock is
``--as-of`` (a time with its zone, ``@<unix seconds>`` or ``now``), by default the build's
``SOURCE_DATE_EPOCH`` (the last commit's time), so that a build stays reproducible; the
Pages workflow builds hourly with ``--as-of now`` so solutions appear within the hour.
``solutions`` and ``student`` override every worksheet's release.
"""

import datetime as dt
import enum
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from coursegen.errors import BuildError
from coursegen.site import engines
from coursegen.stages.frontmatter import aware_time

if TYPE_CHECKING:  # parameters imports this module (a sheet's figures per edition)
    from coursegen.stages.parameters import Sheet


class Edition(enum.StrEnum):
    """What a build publishes. A worksheet is rendered in ``SOLUTIONS`` or ``STUDENT``;
    ``SCHEDULED`` picks one of them per worksheet by its release (``Publication.of``)."""

    SCHEDULED = "scheduled"
    SOLUTIONS = "solutions"
    STUDENT = "student"


RENDERINGS = (Edition.SOLUTIONS, Edition.STUDENT)  # what one worksheet can be rendered in


@dataclass(frozen=True)
class Publication:
    """An edition at a clock: what each worksheet shows."""

    edition: Edition
    clock: dt.datetime

    def of(self, sheet: "Sheet") -> Edition:
        """The edition a worksheet is rendered in: ``SOLUTIONS`` or ``STUDENT``."""
        if self.edition is Edition.SCHEDULED:
            return Edition.SOLUTIONS if sheet.meta.solutions.out_at(self.clock) else Edition.STUDENT
        return self.edition


def publication(edition: str, as_of: str | None, root: Path) -> Publication:
    try:
        chosen = Edition(edition)
    except ValueError:
        raise BuildError(f"unknown edition {edition!r}; one of: {', '.join(Edition)}") from None
    return Publication(chosen, build_clock(as_of, root))


def build_clock(as_of: str | None, root: Path) -> dt.datetime:
    """The time a build publishes at (see the module's docstring)."""
    epoch = engines.source_date_epoch(root)  # checked even when --as-of is given: MkDocs reads it too
    if as_of is None:
        as_of = f"@{epoch}"
    if as_of == "now":
        return dt.datetime.now(dt.UTC).replace(microsecond=0)
    if as_of.startswith("@"):
        try:
            return dt.datetime.fromtimestamp(int(as_of[1:]), dt.UTC)
        except (ValueError, OverflowError):
            raise BuildError(f"--as-of {as_of}: expected @ and whole seconds since 1970, like @1662163200") from None
    return aware_time(as_of, "--as-of", "now, @<unix seconds> or a time like 2022-09-09T17:00-07:00")
