"""Pages read as the site's Markdown reads them: Python-Markdown with the extensions
``mkdocs.yml`` names turns a page into HTML, and what it links to, the ids it gives
and its HTML comments are found in that HTML, never guessed from the source (where a
path or a comment inside code is only shown, and Markdown's rules for code are many).

HTML comments are taken out of the page's Markdown: Markdown would copy
``<!-- TA note: ... -->`` into the page's HTML, where every student can read it. Each
comment the HTML holds is removed from the source (its lines' indentation may differ,
as a solution block indents them); one shown inside code is escaped in the HTML, so it
stays. A comment never closed, or an id given twice, is refused."""

import functools
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import markdown

from coursegen.errors import BuildError
from coursegen.site import engines
from coursegen.stages.frontmatter import without_front_matter

_LINKING = {"href", "src", "poster", "data"}  # the HTML attributes that fetch or open a file
_CODE = {"code", "pre", "script", "style"}  # where text that looks like "<!--" is only shown
# where a line ends as the page shows it: a word before and a word after are two words
LINE_ENDS = {"br", "hr", "p", "div", "li", "dt", "dd", "tr", "td", "th", "pre", "blockquote", "figcaption", "summary"}
LINE_ENDS |= {"section", "article", "aside", "main", "header", "footer", "nav", "ul", "ol", "dl", "table", "caption"}
LINE_ENDS |= {"figure", "details", "address", "form", "fieldset", "legend", "option", "button", "label", "textarea"}
LINE_ENDS |= {f"h{n}" for n in range(1, 7)}
# the attributes a reader reads or hears
READ_ATTRIBUTES = {"alt", "title", "aria-label", "data-labels", "data-slider-label", "value", "placeholder"}


@dataclass
class Read:
    """What one page's HTML holds."""

    links: list[str] = field(default_factory=list)  # every href, src, srcset candidate, poster, data
    ids: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)  # each comment's text between <!-- and -->
    unclosed: str | None = None  # the text after a "<!--" that nothing closes
    # what a reader reads, outside solution blocks (``details`` of class solution or
    # cg-solution) and inside them: the text, in order, code included; the alt texts,
    # titles, ARIA labels, players' frame labels and form fields' words
    text: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    solution_text: list[str] = field(default_factory=list)
    solution_labels: list[str] = field(default_factory=list)


class Reader:
    """The site's Markdown, made once per process for each text of ``mkdocs.yml``
    (``Reader.of``: a check renders every page three times)."""

    @classmethod
    def of(cls, config: Path) -> "Reader":
        return _made(config, config.read_bytes())

    def __init__(self, config: Path):
        settings = engines.read_config(config).get("markdown_extensions") or []
        names = [next(iter(e)) if isinstance(e, dict) else e for e in settings]
        options = {n: (e[n] or {}) for e in settings if isinstance(e, dict) for n in e}
        try:
            self.markdown = markdown.Markdown(extensions=names, extension_configs=options)
        except Exception as e:  # an extension that is not installed, or a wrong option of one
            raise BuildError(f"{config.name}: markdown_extensions: {type(e).__name__}: {e}") from None

    def read(self, text: str) -> Read:
        return read_html(self.markdown.reset().convert(without_front_matter(text)))


def read_html(html: str) -> Read:
    """What an HTML (or SVG) text holds."""
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser.found


@functools.lru_cache(maxsize=4)
def _made(config: Path, text: bytes) -> Reader:  # keyed by the file's bytes: an edit makes a new one
    return Reader(config)


def published(text: str, read: Read, where: str) -> str:
    """``text`` as the page is published: without the HTML comments its HTML (``read``)
    holds; refused if a comment is never closed, or if it gives one id twice (a link to
    it would open the first; Markdown's own heading ids never repeat)."""
    twice = sorted({i for i in read.ids if read.ids.count(i) > 1})
    if twice:
        raise BuildError(
            f"{where}: the id {twice[0]!r} is given twice (two questions or {{ #id }} headings "
            f"with one id, or an HTML id that a heading's repeats); give each its own"
        )
    if read.unclosed is not None:
        shown = " ".join(read.unclosed.split())[:40]
        raise BuildError(f"{where}: an HTML comment is never closed ('<!--{shown}'...: add -->)")
    for comment in sorted(set(read.comments), key=len, reverse=True):
        words = comment.split()
        text = re.sub(r"<!--\s*" + r"\s+".join(map(re.escape, words)) + r"\s*-->", "", text)
    return text


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = Read()
        self.in_code = 0
        self.details: list[bool] = []  # the open <details>: whether each is a solution block

    def handle_starttag(self, tag, attrs):
        self.in_code += tag in _CODE
        self._line_end(tag)
        self.found.links += [value for name, value in attrs if name in _LINKING and value]
        self.found.links += [url for name, value in attrs if name == "srcset" and value for url in _srcset(value)]
        self.found.ids += [value for name, value in attrs if name == "id" and value]
        if tag == "details":
            classes = next((value or "" for name, value in attrs if name == "class"), "").split()
            self.details.append("solution" in classes or "cg-solution" in classes)
        labels = self.found.solution_labels if any(self.details) else self.found.labels
        labels += [value for name, value in attrs if name in READ_ATTRIBUTES and value]

    def handle_endtag(self, tag):
        self.in_code -= tag in _CODE and self.in_code > 0
        self._line_end(tag)
        if tag == "details" and self.details:
            self.details.pop()

    def _line_end(self, tag):
        if tag in LINE_ENDS:
            self._text().append("\n")

    def _text(self) -> list[str]:
        """Where the text read now goes: inside a solution block or outside."""
        return self.found.solution_text if any(self.details) else self.found.text

    def handle_comment(self, data):
        self.found.comments.append(data)

    def handle_data(self, data):
        self._text().append(data)
        if not self.in_code and "<!--" in data and self.found.unclosed is None:
            self.found.unclosed = data.split("<!--", 1)[1]

    def unknown_decl(self, data):  # "<!--" left open at the end of the HTML
        self.handle_data("<!" + data)


def _srcset(value: str) -> list[str]:
    """The addresses of a ``srcset``: each candidate is an address (which may hold
    commas: a data: URL), then an optional descriptor, candidates parted by commas."""
    urls, rest = [], value
    while rest := rest.lstrip(" \t\n\r,"):
        url, _, rest = rest.partition(" ")
        if url.endswith(","):  # no descriptor: the comma ends the candidate
            urls.append(url.rstrip(","))
            continue
        urls.append(url)
        _, _, rest = rest.partition(",")  # skip the descriptor
    return urls
