"""A worksheet's answers, as its staff type them, and the check that its student pages
give none away.

``content/<sheet>/answers.toml`` lists every answer of the worksheet in each form a file
could hold it (TeX, plain words, code)::

    [[answers]]
    question = "1a: the optimal theta"
    forms = ['\\theta^* = \\frac{1}{N} \\sum_i y_i', "np.mean(y)", "is the sample mean"]

A build that shows the worksheet without its solutions (the student edition, or before
their release) searches for them in every file a student can open: each page's text as
its HTML reads (a solution block written by hand, and a released worksheet's solutions,
included), labels and alt texts, the text of SVG figures, players and explorers,
notebooks' cells and any text file a page links, of every worksheet and the home page,
the course's own ``site_src/`` files, and, once the engine has built the site, what it
puts around every page (``check_chrome``: the site's settings, a theme override).
A released worksheet's solution material may state a form its own list holds too (the
same example in two worksheets). It stops at the first form it finds, naming the
sources that hold it. The list is a source: never
published. Forms are compared as ``normal`` makes them and matched as ``Needle`` says.
Text drawn into a GIF or PNG is pixels: not searched.
"""

import codecs
import functools
import html
import json
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from coursegen.errors import BuildError
from coursegen.site.engines import custom_dir
from coursegen.site.reading import LINE_ENDS, READ_ATTRIBUTES, read_html
from coursegen.stages.frontmatter import front_matter, read_utf8
from coursegen.stages.parameters import ANSWERS as FILE

_JINJA = re.compile(r"\{\{\s*[A-Za-z_]|\{%")  # {{ results... }}, {% ... %}; not TeX's x^{{2}}
SHORTEST = 3  # characters of a form, once normal: shorter ones are in every page
BREAK = "\u241e"  # between two pieces of text that no form may run across
BINARY = (".gif", ".png", ".jpg", ".jpeg", ".webp", ".pdf", ".bin", ".zip", ".woff", ".woff2", ".ttf")


@dataclass(frozen=True)
class Answer:
    question: str
    forms: tuple[str, ...]  # as typed, for messages
    needles: tuple["Needle", ...]  # each form as searched


_LETTERS = dict(
    zip(
        "αβγδεϵζηθϑικλμνξπρστυφϕχψω",
        "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta "
        "iota kappa lambda mu nu xi pi rho sigma tau upsilon phi varphi chi psi omega".split(),
        strict=True,
    )
)
_SIGNS = {"−": "-", "×": "*", "·": "*", "⋅": "*", "∗": "*"}


@functools.cache
def _table() -> dict[int, str | None]:
    """Greek letters as words, signs as ASCII, and Unicode's format characters (soft
    hyphens, zero widths, direction marks, invisible operators) and the combining
    grapheme joiner dropped: made on first use, not at every command's start."""
    invisible = [c for c in map(chr, range(0x30000)) if unicodedata.category(c) == "Cf"] + ["\u034f", "\U000e0001"]
    return str.maketrans({**dict.fromkeys(invisible), **_SIGNS, **{c: f" {n} " for c, n in _LETTERS.items()}})


_TEX_GREEK = re.compile(r"\\(" + "|".join(_LETTERS.values()) + r")(?![a-z])")
_TEX_TIMES = re.compile(r"\\(?:times|cdot|star|ast)(?![a-z])")
_TEX_NOTHING = re.compile(
    r"\\(?:left|right|big+[lr]?|displaystyle|textstyle|limits|nolimits|quad|qquad|medspace|thinspace|"
    r"thickspace|negthinspace|mathbf|mathrm|mathit|mathsf|mathtt|mathbb|mathcal|mathfrak|mathscr|mathnormal|"
    r"boldsymbol|bm|pmb|text|textbf|textit|textrm|textsf|texttt|textsc|textup|textmd|textnormal|emph|mbox|hbox|"
    r"bf|rm|it|sf|tt|boxed|underline|mathop|operatorname\*?)(?![a-z])|\\(?:hspace|color|textcolor|colorbox)\{[^}]*\}|"
    r"\\[,!;:> ]|~|\\[()\[\]]|\$"
)
_CONTROL_WORD = re.compile(r"\\[a-z]+")
# A sum's limits, which an answer may write or leave out: \sum_{i=1}^N, \sum\limits_i, \sum
# (a limit is a group, a command, a Greek letter as its name, or one character)
_SUM_LIMITS = re.compile(
    r"\\sum(?![a-z])(?:\s*\\(?:no)?limits(?![a-z]))?"
    r"(?:\s*[_^]\s*(?:\{[^{}]*\}|\\[a-z]+|(?:" + "|".join(_LETTERS.values()) + r")(?![a-z])|\w))*"
)
# A star that names (θ*, θ^*, \theta^{\ast}: the optimum), not a product's sign: one mark, ^*
_STAR = re.compile(
    r"\^\s*(?:\{\s*(?:\*|\\ast|\\star)\s*\}|(?:\*|\\ast|\\star)(?![a-z]))"
    r"|(?<=[a-z0-9}])\s*\*(?=\s*(?:[=)\],;:]|\.(?!\d)|$))"
)


def normal(text: str) -> str:
    """Text as forms are compared, whatever the markup: NFKC (full-width letters,
    ligatures), without format characters (soft hyphens, zero widths), lower case;
    Greek letters as words, their names (θ, ``\theta``, theta alike), − and ``**`` as - and
    ^; a star after a symbol (θ*, θ^*, ``\\theta^{\\ast}``: the optimum) as ^*, any other
    product's sign (*, ×, ·, ``\\cdot``, ``\\times``) as a space, as when a product is
    written without one; a sum's limits dropped (``\\sum_{i=1}^N`` is ``\\sum_i`` is ``\\sum``); without math delimiters, TeX's braces,
    spacing, sizing, font, colour and box commands (``\\;``, ``~``, ``\\left``, ``\\limits``,
    ``\\mathbf``, ``\\text``, ``\\textcolor{red}``, ``\\boxed``), ``np.`` and ``numpy.``;
    ``\\dfrac`` as ``\frac``; a space only between two letters or digits."""
    return _tight(_loose(text))


def _loose(text: str) -> str:
    """``normal`` up to its spaces."""
    text = unicodedata.normalize("NFKC", html.unescape(text)).lower().translate(_table()).replace("**", "^")
    text = re.sub(r"\\[dtc]frac(?![a-z])", r"\\frac", text)
    text = _STAR.sub("^*", _SUM_LIMITS.sub(r"\\sum ", text))
    text = _TEX_NOTHING.sub(" ", _TEX_TIMES.sub(" ", _TEX_GREEK.sub(r" \1 ", text)))
    text = re.sub(r"(?<!\^)\*", " ", text.replace("{", "").replace("}", ""))  # a product's sign
    return re.sub(r"np\.|numpy\.", "", text)


def _tight(text: str) -> str:
    """One space between two words, none beside a sign, except after a full stop before
    a number ("x^2.", then "1. Gradients": not x^2.1)."""
    text = re.sub(r"(\\[a-z]+)\s+", r"\1", text)  # a control word's space is no space
    text = re.sub(r"(?<=\w)\s+(?=\w)|(?<=\.)\s+(?=\d)", " ", text)
    return re.sub(r"(?<!\w)\s+(?!\d)|(?<![\w.])\s+|\s+(?!\w)", "", text)


@dataclass(frozen=True)
class Haystack:
    """A text as searched: ``normal``; without its spaces (for TeX and code); and its
    words alone, every TeX command a space (``\\to\\text{the mean}`` holds the words "the
    mean", whatever command comes before them)."""

    text: str
    compact: str
    words: str

    @classmethod
    def of(cls, text: str) -> "Haystack":
        loose = _loose(text)
        tight = _tight(loose)
        return cls(tight, tight.replace(" ", ""), _tight(_CONTROL_WORD.sub(" ", loose)))


@dataclass(frozen=True)
class Needle:
    """A form as searched: words and numbers whole ("x plays" is not in "max plays", nor
    2.158 in 12.158 or 2.1584); a form with TeX or code (a backslash, ^ or _) also with
    every space dropped, on both sides, since TeX's spaces mean nothing; a form of words
    also among the words of the text."""

    text: str
    compact: str | None

    @classmethod
    def of(cls, form: str) -> "Needle":
        needle = normal(form)
        return cls(needle, needle.replace(" ", "") if re.search(r"[\\^_]", form) else None)

    def found_in(self, hay: Haystack) -> bool:
        if self.compact is not None:
            return _whole(self.text, hay.text) or _whole(self.compact, hay.compact, starts=False)
        return _whole(self.text, hay.text) or _whole(self.text, hay.words)


def _whole(needle: str, text: str, starts: bool = True) -> bool:
    """``needle`` in ``text``, not inside a longer word or number where it starts (unless
    not ``starts``: in text without its spaces, words run together) or ends with a letter
    or digit: 2.158 is not in 2.1584 nor 1 in 1.5, nor \\frac12 in \\frac120 (str.find: a
    look-behind would make the search crawl)."""
    start_word = starts and (needle[0].isalnum() or needle[0] == "_")
    end_word = needle[-1].isalnum() or needle[-1] == "_"
    at = text.find(needle)
    while at >= 0:
        before = text[at - 1] if at else " "
        after = text[at + len(needle) : at + len(needle) + 2] or " "
        longer = (
            after[0].isalnum() or after[0] == "_" or (needle[-1].isdigit() and after[:1] == "." and after[1:].isdigit())
        )
        inside = before.isalnum() or before == "_" or (before == "." and needle[0].isdigit())  # 158 in 2.158
        if not (start_word and inside) and not (end_word and longer):
            return True
        at = text.find(needle, at + 1)
    return False


def load(sheet_dir: Path, root: Path) -> tuple[Answer, ...]:
    """The worksheet's answers (none without the file), every entry checked."""
    path = sheet_dir / FILE
    if not path.exists():
        return ()
    if not path.is_file():
        raise BuildError(f"{path.relative_to(root).as_posix()}: is not a file (the worksheet's list of answers)")
    source = path.relative_to(root).as_posix()
    try:
        data = tomllib.loads(read_utf8(path, source))
    except tomllib.TOMLDecodeError as e:
        raise BuildError(f"{source}: TOML syntax error: {e}") from None
    other = sorted(set(data) - {"answers"})
    if other:
        raise BuildError(f"{source}: only [[answers]] tables belong here, not {other[0]!r}")
    entries = data.get("answers", [])
    if not isinstance(entries, list):
        raise BuildError(f"{source}: answers: expected [[answers]] tables")
    return tuple(_answer(entry, f"{source}: [[answers]] {k}") for k, entry in enumerate(entries, 1))


def _answer(entry, where: str) -> Answer:
    if not isinstance(entry, dict):
        raise BuildError(f"{where}: expected a table with a question and its forms")
    extra = sorted(set(entry) - {"question", "forms"})
    if extra:
        raise BuildError(f"{where}: {extra[0]!r} is unknown; an answer has a question and its forms")
    if not isinstance(entry.get("question"), str) or not entry["question"].strip():
        raise BuildError(f"{where}: question: expected a string naming the question")
    forms = entry.get("forms")
    if not isinstance(forms, list) or not forms or not all(isinstance(f, str) for f in forms):
        raise BuildError(f"{where}: forms: expected a list of strings, each a form of the answer")
    templates = [f for f in forms if _JINJA.search(f)]
    if templates:
        raise BuildError(
            f"{where}: form '{templates[0]}' is a template, but forms are searched as written: "
            "type the number as the page shows it (and again when the results change)"
        )
    short = [f for f in forms if len(normal(f)) < SHORTEST]
    if short:
        raise BuildError(f"{where}: form '{short[0]}' is too short to search for (every page would hold it)")
    return Answer(entry["question"], tuple(forms), tuple(Needle.of(f) for f in forms))


def check_site(
    content: Path, root: Path, hidden: list[str], files: dict[str, bytes], reads: dict, own_assets: dict[str, bytes]
) -> None:
    """Every worksheet's list read (a mistake in one stops any build); those of the
    worksheets ``hidden`` (shown without their solutions) searched for in every file a
    student can open (``files``, docs path -> bytes; ``reads``: each page's HTML read):
    every page as published (solution blocks written by hand and a released worksheet's
    solutions included), every file of every worksheet (figures, notebooks, the files
    its pages link) and the course's own CSS and JavaScript (``own_assets``, from
    ``site_src/``). A released worksheet's solution material may state an answer that
    its own list holds too: the same example in two worksheets, out with the first."""
    lists = _lists(content, root)
    searched = [sheet for sheet in hidden if lists.get(sheet)]
    if not searched:
        return
    sheets = {rel.split("/")[0] for rel in reads if "/" in rel} | set(hidden)
    shown = sheets - set(hidden)
    copies = {f"{rel}.js" for rel in files}  # a file's script copy (file://) carries the file itself
    texts = [
        piece
        for rel in sorted(files, key=lambda rel: (rel not in reads, rel))  # pages first
        if rel not in copies and (rel in reads or rel.split("/")[0] in sheets)
        for piece in _pieces(rel, files[rel], reads.get(rel), shown)
    ] + [Piece(rel, hay, None) for rel, data in own_assets.items() if (hay := _text(rel, data)) is not None]
    own = {sheet: {n.text for answer in lists.get(sheet, ()) for n in answer.needles} for sheet in shown}
    for sheet in searched:
        check(lists[sheet], (content / sheet / FILE).relative_to(root).as_posix(), texts, content, own)


def check_chrome(content: Path, root: Path, hidden: list[str], site: Path) -> None:
    """What the engine puts around every page of the built ``site``, searched for the
    answers of the worksheets ``hidden``: ``mkdocs.yml``'s site name, description and
    copyright, what a theme override adds (an announcement, a header, a footer), the
    page's title and description. The page's article and its navigation are left out:
    they come from the pages, which ``check_site`` searched."""
    lists = _lists(content, root)
    searched = [sheet for sheet in hidden if lists.get(sheet)]
    if not searched:
        return
    pages = [(path, path.read_text("utf-8", "replace")) for path in sorted(site.rglob("*.html"))]
    texts = [
        Piece(path.relative_to(site).as_posix(), Haystack.of(_chrome(page)), None)
        for path, page in pages
        if ENGINE_PAGE in page  # a page the engine made; an HTML file a page links was searched whole
    ]
    for sheet in searched:
        check(lists[sheet], (content / sheet / FILE).relative_to(root).as_posix(), texts, content, {}, chrome=True)


def _lists(content: Path, root: Path) -> dict[str, tuple[Answer, ...]]:
    return {path.parent.name: load(path.parent, root) for path in sorted(content.glob(f"*/{FILE}"))}


ENGINE_PAGE = "md-content__inner"  # the article of every page Material and Zensical make


class _Chrome(HTMLParser):
    """A page's text and labels outside its article, navigation, scripts and styles, read
    as ``reading`` reads a page (its line ends and the attributes a reader reads or
    hears). Of ``<meta>``, only what describes the page (not the generator's version)."""

    SKIPPED = frozenset({"article", "nav", "script", "style", "template"})
    META = ("description", "author", "keywords")  # and og:*, twitter:*

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag, attrs):
        if self.skipping or tag in self.SKIPPED:
            self.skipping += [tag] if tag in self.SKIPPED else []
            return
        self.out += ["\n"] if tag in LINE_ENDS else []
        named = dict(attrs)
        about = named.get("name") or named.get("property") or ""
        if tag == "meta" and (about in self.META or about.startswith(("og:", "twitter:"))):
            self.out += [BREAK, named.get("content") or "", BREAK]
        self.out += [BREAK + value + BREAK for name, value in attrs if name in READ_ATTRIBUTES and value]

    def handle_endtag(self, tag):
        if self.skipping:
            if tag == self.skipping[-1]:
                self.skipping.pop()
        elif tag in LINE_ENDS:
            self.out.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.out.append(data)


def _chrome(page: str) -> str:
    reader = _Chrome()
    reader.feed(page)
    reader.close()
    return "".join(reader.out)


@dataclass(frozen=True)
class Piece:
    """Text of a built file as searched; ``solutions_of``: the released worksheet whose
    solution material it is (its solution blocks, figures, notebook, linked files), or
    None (question material, or a worksheet shown without its solutions)."""

    rel: str
    hay: Haystack
    solutions_of: str | None


def _pieces(rel: str, data: bytes, read, shown: set[str]) -> list[Piece]:
    sheet = rel.split("/")[0] if "/" in rel else None
    released = sheet if sheet in shown else None
    if read is not None:  # a page: its question text, then its solution blocks
        meta = front_matter(data.decode("utf-8", "replace"), rel)
        question = Haystack.of(BREAK.join(["".join(read.text), *read.labels, *_strings(meta)]))
        solution = Haystack.of(BREAK.join(["".join(read.solution_text), *read.solution_labels]))
        return [Piece(rel, question, None), Piece(rel, solution, released)]
    hay = _text(rel, data)
    return [] if hay is None else [Piece(rel, hay, released)]


def check(
    answers: tuple[Answer, ...],
    source: str,
    texts: list[Piece],
    content: Path,
    own: dict[str, set[str]],
    chrome: bool = False,
) -> None:
    """Stop at the first answer that ``texts`` give away, naming it, its form, the file
    and the sources that hold it (``chrome``: what surrounds the pages, whose sources are
    the site's settings and theme first). A released worksheet's solution material that states a
    form its own list (``own``: each released worksheet's forms, as searched) holds too is
    its own answer; one it does not list stops the build, saying how staff who mean it
    let it through."""
    for answer in answers:
        for form, needle in zip(answer.forms, answer.needles, strict=True):
            for piece in texts:
                if not needle.found_in(piece.hay):
                    continue
                sheet = piece.solutions_of
                if sheet is not None and needle.text in own[sheet]:
                    continue
                origin = _written_in(needle, content, sheet, chrome)
                raise BuildError(
                    f'{source}: "{answer.question}" is given away where its solutions are not shown: '
                    f"the built {piece.rel} holds '{form}'"
                    + (f" (written in {origin})" if origin else _made_by(piece.rel, chrome))
                    + (
                        f"; if {sheet}'s solutions state it on purpose (the same example in both), "
                        f"list the form in content/{sheet}/{FILE} too"
                        if sheet is not None
                        else ""
                    )
                )


def _made_by(rel: str, chrome: bool) -> str:
    """Where text no source holds as written comes from: the theme or the engine, around
    the pages (``chrome``); a figure's function (its labels, sentences or words, from the
    results); or a number the results give."""
    if chrome:
        return " (put there by the theme or the engine, not by a course file)"
    parts = rel.split("/")
    if len(parts) == 3 and parts[1] == "figures":
        name = parts[2].split(".")[0].removesuffix("-dark")
        return f" (made by figure {name!r} of {parts[0]}: its function writes it, from the results)"
    return " (no source holds it as written: a figure's labels or a number the results give)"


def _written_in(needle: Needle, content: Path, solutions_of: str | None, chrome: bool = False) -> str | None:
    """The sources that hold the form: the files of ``content/`` as published (a page
    without its HTML comments and, unless it is of the worksheet ``solutions_of``, whose
    solutions are shown, without the solution blocks the student edition leaves out;
    each file also without its tags), else the course's code (a figure's text, the
    notebook); for what surrounds the pages (``chrome``), the site's settings and theme
    first."""
    root = content.parent
    config = root / "mkdocs.yml"
    pages = [
        lambda: _holding(needle, sorted(content.rglob("*")), root, solutions_of),
        lambda: _holding(needle, sorted((root / "course").rglob("*.py")), root),
    ]
    site = [
        lambda: _holding(needle, [config] if config.is_file() else [], root),
        lambda: _holding(needle, _theme_files(root, config), root),
    ]
    found = next((f for look in (site + pages if chrome else pages + site) if (f := look())), [])
    return ", ".join(found[:3]) + (" ..." if len(found) > 3 else "") if found else None


def _theme_files(root: Path, config: Path) -> list[Path]:
    """The course's own partials and site files and its theme's ``custom_dir``."""
    folders = [root / "templates", root / "site_src", custom_dir(config) if config.is_file() else None]
    return sorted({p for folder in folders if folder is not None for p in folder.rglob("*")})


def _holding(needle: Needle, paths: list[Path], root: Path, solutions_of: str | None = None) -> list[str]:
    found = []
    for path in paths:
        if path.name == FILE or not path.is_file() or path.name.endswith(BINARY):
            continue
        text = _decoded(path.read_bytes())
        if text is None:
            continue
        if path.suffix == ".md":
            text = _COMMENT.sub(" ", text)
            shown = solutions_of is not None and path.relative_to(root).parts[1:2] == (solutions_of,)
            text = text if shown else _SOLUTION_CALL.sub(" ", text)
        if any(needle.found_in(Haystack.of(t)) for t in (text, _TAG.sub(" ", text), _TAG.sub("", text))):
            found.append(path.relative_to(root).as_posix())
    return found


_SOLUTION_CALL = re.compile(r"\{%-?\s*call\s+solution\b.*?\{%-?\s*endcall\s*-?%\}", re.S)  # left out for students
_TAG = re.compile(r"<[^>]*>")
_COMMENT = re.compile(r"<!--.*?-->", re.S)  # not published
_SVG_TEXT = re.compile(r"<!--(.*?)-->|<(?:text|tspan|title|desc)\b[^>]*>([^<]*)", re.S)


def _text(rel: str, data: bytes) -> Haystack | None:
    """What a student reads of a file that is no page, as searched (None: nothing, a
    picture's pixels): an SVG's text (matplotlib draws the glyphs and keeps the words in
    comments); a notebook's cells; a JSON file's strings; any other file that is text,
    in whichever encoding, as it is (HTML read as HTML)."""
    return _file_text(next((s for s in (*BINARY, *_READ_AS) if rel.endswith(s)), ""), data)


_READ_AS = (".svg", ".ipynb", ".json", ".html", ".htm")


@functools.lru_cache(maxsize=1024)  # by the file's bytes: `coursegen serve` reads each version once
def _file_text(suffix: str, data: bytes) -> Haystack | None:
    text = None if suffix in BINARY else _decoded(data)
    if text is None:
        return None
    if suffix == ".svg":
        text = BREAK.join(a or b for a, b in _SVG_TEXT.findall(text))
    elif suffix == ".ipynb":
        text = BREAK.join("".join(cell.get("source", "")) for cell in json.loads(text).get("cells", []))
    elif suffix == ".json":
        text = BREAK.join(_strings(json.loads(text)))
    elif suffix in (".html", ".htm"):
        html_read = read_html(text)
        text = BREAK.join(
            ["".join(html_read.text + html_read.solution_text), *html_read.labels, *html_read.solution_labels]
        )
    return Haystack.of(text)


def _decoded(data: bytes) -> str | None:
    """A file's text: UTF-8, UTF-16 or UTF-32 with its byte order mark, or else, with no
    NUL byte in it, Latin-1 (any byte is a letter there: a note saved by an old editor
    is still read); None for what is no text."""
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None if b"\0" in data else data.decode("latin-1")


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []
