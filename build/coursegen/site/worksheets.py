"""The course's list of worksheets, as the nav and the home page show it.

Both come from the worksheets' front matter (coursegen.stages.frontmatter), so that adding a
worksheet edits no other file: ``mkdocs.yml`` keeps only the theme and site settings.
Every date and time is written here, in English, whatever the machine's locale.
"""

import datetime as dt
from dataclasses import dataclass

from coursegen.stages.editions import Edition, Publication
from coursegen.stages.parameters import Sheet

_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
_DAYS = "Mon Tue Wed Thu Fri Sat Sun".split()


@dataclass(frozen=True)
class Handout:
    href: str  # relative to the home page
    label: str


@dataclass(frozen=True)
class Entry:
    """One worksheet on the home page."""

    number: int
    title: str
    url: str  # its page, relative to the docs folder
    date: str  # "Mon 29 Aug 2022"
    summary: str
    solutions_out: bool
    solutions: str  # what the home page says of them (Markdown with inline HTML)
    handouts: tuple[Handout, ...]


def nav(sheets: list[Sheet]) -> list[dict]:
    """MkDocs' ``nav``: the home page, then each worksheet as a section, its worksheet
    page first and then its other pages (the same shape for every worksheet)."""
    items: list[dict] = [{"Home": "index.md"}]
    for sheet in sheets:
        pages = [{"Worksheet": f"{sheet.name}/index.md"}]
        pages += [{title: f"{sheet.name}/{name}"} for name, title in sheet.meta.pages]
        items.append({sheet.meta.title: pages})
    return items


def entries(sheets: list[Sheet], shown: Publication, handouts: dict[str, list[str]]) -> list[Entry]:
    """The home page's list; ``handouts``: the editions of each worksheet's PDFs the site holds."""
    return [
        Entry(
            number=sheet.meta.number,
            title=sheet.meta.title,
            url=f"{sheet.name}/index.md",
            date=day(sheet.meta.date),
            summary=sheet.meta.summary,
            solutions_out=shown.of(sheet) is Edition.SOLUTIONS,
            solutions=_solutions_text(sheet, shown),
            handouts=tuple(
                Handout(
                    f"handouts/{handout_name(sheet.name, edition)}",
                    "handout with solutions" if edition is Edition.SOLUTIONS else "handout",
                )
                for edition in handouts.get(sheet.name, [])
            ),
        )
        for sheet in sheets
    ]


def handout_name(sheet: str, edition: str) -> str:
    """A worksheet's handout in one edition (coursegen.tools.handout prints it): ``dis01-student.pdf``."""
    return f"{sheet}-{edition}.pdf"


def _solutions_text(sheet: Sheet, shown: Publication) -> str:
    if shown.of(sheet) is Edition.SOLUTIONS:
        return "Solutions included."
    if shown.edition is Edition.STUDENT:  # released or not: a student handout says no more
        return "No solutions in this edition."
    release = sheet.meta.solutions
    if shown.edition == Edition.SCHEDULED and release.at is not None:
        return _coming(release.at)
    return "Solutions not released."


def _coming(at: dt.datetime) -> str:
    """ "Solutions from <the release>.", marked with its moment in UTC: the site is
    published again on a schedule, so a page may still be read after that moment, and
    release.js then says the solutions are out and come with the next publication
    rather than promise a time that has passed."""
    utc = at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f'<span data-solutions-from="{utc}">Solutions from <time datetime="{utc}">{moment(at)}</time>.</span>'


def day(date: dt.date) -> str:
    return f"{_DAYS[date.weekday()]} {date.day} {_MONTHS[date.month - 1]} {date.year}"


def moment(at: dt.datetime) -> str:
    """A release time as its zone states it: "Fri 2 Sep 2022, 17:00 (UTC-07:00)"."""
    offset = at.utcoffset() or dt.timedelta(0)
    sign, minutes = ("+" if offset >= dt.timedelta(0) else "-"), abs(int(offset.total_seconds())) // 60
    zone = "UTC" if not minutes else f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    return f"{day(at.date())}, {at:%H:%M} ({zone})"
