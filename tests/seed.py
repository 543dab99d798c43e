"""The worksheet seed, split into what the site must show: prose, formulas, solutions.

The seed is the worksheet text the course started from, kept in ``tests/data/`` so that
a clone with nothing beside it tests the same way.
"""

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

SEED = Path(__file__).resolve().parent / "data" / "dis01-worksheet.txt"
MATH = re.compile(r"\$\$.+?\$\$|\$[^$]+\$|\\\(.+?\\\)|\\\[.+?\\\]", re.S)


@dataclass
class Seed:
    prose: list[str] = field(default_factory=list)  # question and text lines
    formulas: list[str] = field(default_factory=list)
    solution_prose: list[str] = field(default_factory=list)
    solution_formulas: list[str] = field(default_factory=list)


def load_seed(path: Path = SEED) -> Seed:
    seed = Seed()
    in_solution = False
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip().removeprefix("- ").strip()
        if not line:
            continue
        if line == "Solution:":
            in_solution = True
            continue
        if line.startswith("(b)") or line.startswith("2. ReLU"):
            in_solution = False
        formulas = [m.strip("$") for m in re.findall(r"\$\$.+?\$\$|\$[^$]+\$", line)]
        (seed.solution_formulas if in_solution else seed.formulas).extend(formulas)
        if MATH.sub("", line).strip():
            (seed.solution_prose if in_solution else seed.prose).append(line)
    return seed


def words(text: str) -> str:
    """Prose reduced to its words of three or more letters, lowercased, math removed."""
    text = MATH.sub(" ", html.unescape(re.sub(r"<[^>]+>", " ", text)))
    text = re.sub(r"\\[A-Za-z]+", " ", text)
    return " ".join(w.lower() for w in re.findall(r"[A-Za-z]+", text) if len(w) >= 3)


def page_text(html_text: str) -> str:
    """Visible text of a page, with the math as arithmatex leaves it, unescaped."""
    body = re.sub(r"<script.*?</script>|<style.*?</style>", " ", html_text, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))
