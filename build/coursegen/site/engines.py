"""Assembling the docs folder and building ``site/`` with MkDocs, all or nothing.

Each edition has its own docs folder, which holds exactly the generated files (pages,
figures, the KaTeX renderer) and copies of the hand-written assets of ``site_src/``:
unchanged files are left alone (so ``mkdocs serve`` reloads only what changed) and files
that are no longer produced are removed. MkDocs builds into a staging folder that
replaces ``site/`` only when the build succeeded, so a failed build leaves the previous
site as it was, and the published files are world-readable whatever the umask.
"""

import errno
import html
import io
import json
import logging
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from contextlib import redirect_stdout
from pathlib import Path

from coursegen import atomic
from coursegen.errors import BuildError

GENERATOR = Path(__file__).resolve().parent  # the generator's own assets/ and vendor/
# Material's templates the generator overrides (as a course's theme.custom_dir does), below
# the course's own: a course's override of the same file wins.
THEME = GENERATOR / "theme"
VENDOR = GENERATOR / "vendor"  # KaTeX and the iframe-worker shim, from npm (`make vendor`)
KATEX_FILES = ("katex.min.js", "katex.min.css", "contrib/auto-render.min.js")
# Material's offline plugin runs search in an iframe from file://; mkdocs.yml names
# this copy as the polyfill, so the plugin does not add its CDN address.
IFRAME_WORKER = ("iframe-worker/shim.js", "assets/javascripts/iframe-worker-shim.js")


def browser_assets() -> dict[str, bytes]:
    """What the site's pages run that comes from npm, shipped inside the site (no CDN):
    the KaTeX renderer and its fonts, the iframe-worker shim. The generator carries
    copies (package data), so an installed coursegen needs no npm."""
    katex = VENDOR / "katex"
    names = [*KATEX_FILES, *sorted(p.relative_to(katex).as_posix() for p in (katex / "fonts").glob("*.woff2"))]
    return {
        **{f"assets/katex/{name}": (katex / name).read_bytes() for name in names},
        IFRAME_WORKER[1]: (VENDOR / IFRAME_WORKER[0]).read_bytes(),
    }


def hand_written(course_assets: Path) -> dict[str, bytes]:
    """The CSS and JavaScript every edition's docs folder carries: the generator's
    (``coursegen/site/assets``), then the course's own ``site_src/assets``, whose file at
    the same path replaces the generator's (as Material's ``overrides/`` does)."""
    return {f"assets/{rel}": data for rel, data in layered(GENERATOR / "assets", course_assets).items()}


def unlisted_scripts(config: Path) -> list[str]:
    """coursegen's own scripts that ``mkdocs.yml``'s ``extra_javascript`` leaves out: the
    engine loads only what it lists, and a course made by an earlier ``coursegen init``
    lacks the ones added since (its pages then miss what they do)."""
    listed = read_config(config).get("extra_javascript") or []
    paths = {entry if isinstance(entry, str) else (entry or {}).get("path") for entry in listed}
    return [
        f"assets/js/{p.name}"
        for p in sorted((GENERATOR / "assets" / "js").glob("*.js"))
        if f"assets/js/{p.name}" not in paths
    ]


def layered(*folders: Path | None) -> dict[str, bytes]:
    """The files of ``folders`` by relative path, sorted; a later folder's file replaces
    an earlier one's at the same path. A folder that is None or absent adds nothing."""
    files = {}
    for folder in folders:
        for p in sorted(folder.rglob("*")) if folder and folder.is_dir() else ():
            if p.is_file():
                files[p.relative_to(folder).as_posix()] = p.read_bytes()
    return dict(sorted(files.items()))


def sync_docs(docs: Path, files: dict[str, bytes]) -> int:
    """Make ``docs`` hold exactly ``files``; return how many changed.

    Unchanged files are left alone, so ``mkdocs serve`` reloads only what changed.
    """
    changed = 0
    for rel in sorted(files):
        path = docs / rel
        if not path.is_file() or path.read_bytes() != files[rel]:
            atomic.write_bytes(path, files[rel])
            changed += 1
    for path in sorted(docs.rglob("*"), reverse=True):
        rel = path.relative_to(docs).as_posix()
        if path.is_file() and rel not in files:
            path.unlink()
            changed += 1
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return changed


def source_date_epoch(root: Path) -> str:
    """``SOURCE_DATE_EPOCH`` if set, else the last commit's time, else 0. A value that is
    no time is named (MkDocs reads it too, for the sitemap's dates)."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        epoch = os.environ["SOURCE_DATE_EPOCH"]
        if not (epoch.isascii() and epoch.isdigit() and int(epoch) < EPOCH_LIMIT):
            raise BuildError(
                f"SOURCE_DATE_EPOCH={epoch}: expected whole seconds since 1970, like 1662163200 "
                f"(or unset it: the build's clock is then the last commit's time)"
            )
        return epoch
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%ct"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        return out or "0"
    except (OSError, subprocess.CalledProcessError):
        return "0"


EPOCH_LIMIT = 2**32  # seconds since 1970: the first that gzip's header (the sitemap's) cannot hold

ENGINES = ("mkdocs", "zensical")
# The file that marks a folder as a site coursegen built: only such a folder (or an empty
# one) is ever replaced by a build (commands.build.site_dir).
SITE_MARK = ".coursegen-site"


def mark_site(site: Path, config: Path) -> None:
    """Mark ``site`` as coursegen's: the course it came from (``site_name`` of its
    mkdocs.yml, read as text) and every file the build wrote, so that a later build
    replaces it only while it holds nothing else (``foreign_files``)."""
    found = re.search(r"^site_name:\s*(.+?)\s*$", config.read_text(encoding="utf-8"), re.MULTILINE)
    files = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file() and p.name != SITE_MARK)
    mark = {"built by": "coursegen", "course": found.group(1).strip("\"'") if found else "", "files": files}
    atomic.write_text(site / SITE_MARK, json.dumps(mark, indent=0, sort_keys=True) + "\n")


def foreign_files(site: Path) -> list[str] | None:
    """The files of ``site`` that no build of coursegen wrote there (its mark lists
    those), sorted; None when it carries no readable mark."""
    try:
        listed = set(json.loads((site / SITE_MARK).read_text(encoding="utf-8"))["files"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    present = (p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file() or p.is_symlink())
    return sorted(rel for rel in present if rel != SITE_MARK and rel not in listed)


def engine_build(
    engine: str,
    config: Path,
    docs: Path,
    site_dir: Path,
    epoch: str,
    quiet: bool,
    nav: list,
    compiled=None,
    inspect: Callable[[Path], None] | None = None,
) -> None:
    """``engine`` (MkDocs, strict, or Zensical) builds ``docs`` into a staging folder,
    then it is swapped in as ``site_dir``; ``nav``: the course's (coursegen.site.worksheets),
    not one in ``mkdocs.yml``. Both engines read the same docs folder and ``mkdocs.yml``.
    ``compiled``: where MkDocs keeps its theme's compiled templates (a Jinja
    ``BytecodeCache``, coursegen.site.compiled_templates). ``inspect``: called with the
    staging folder once built; what it raises keeps the previous site.

    Call it under the build lock, after ``atomic.recover_tree(site_dir)``: it sweeps the
    staging folders that killed builds left (never the previous site's old copy).
    """
    os.environ["SOURCE_DATE_EPOCH"] = epoch  # sitemap dates and gzip headers follow it
    os.environ["NO_MKDOCS_2_WARNING"] = "1"  # Material's MkDocs 2.0 banner
    from mkdocs import exceptions

    prefix = f"{atomic.TMP_PREFIX}{site_dir.name}-build-"
    for leftover in site_dir.parent.glob(prefix + "*"):  # from killed builds
        atomic.remove(leftover)
    staging = site_dir.with_name(f"{prefix}{os.getpid()}")
    try:
        if engine == "zensical":
            chatter = _zensical(config, docs, staging, nav)
        else:
            chatter = _mkdocs(config, docs, staging, nav, compiled)
        plain_search_index(staging)  # search previews without TeX
        mark_site(staging, config)
        if inspect is not None:
            inspect(staging)
        atomic.publishable(staging)
    except (exceptions.MkDocsException, exceptions.Abort) as e:
        shutil.rmtree(staging, ignore_errors=True)
        raise BuildError(f"{config.name}: MkDocs build failed: {e}") from None
    except OSError as e:
        shutil.rmtree(staging, ignore_errors=True)  # a full disk: give the space back at once
        if e.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):  # copies name their source: name the output
            raise OSError(e.errno, e.strerror, str(site_dir)) from e
        raise atomic.naming(e, site_dir) from e
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if chatter.strip() and not quiet:
        print(chatter.rstrip())
    atomic.replace_tree(staging, site_dir)


def _mkdocs(config: Path, docs: Path, staging: Path, nav: list, compiled) -> str:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.plugins import BasePlugin

    class CompiledTheme(BasePlugin):
        """The theme's Jinja environment keeps its compiled templates in ``compiled``."""

        def on_env(self, env, config, files):
            env.bytecode_cache = compiled
            return env

    from mkdocs import exceptions

    logger = logging.getLogger("mkdocs")
    warnings = _Warnings()
    logger.addHandler(warnings)
    logger.setLevel(logging.INFO)
    chatter = io.StringIO()
    try:
        with redirect_stdout(chatter):
            cfg = load_config(config_file=str(config), docs_dir=str(docs), site_dir=str(staging), strict=True, nav=nav)
            with_generator_theme(cfg.theme)
            if compiled is not None:
                cfg.plugins["coursegen/compiled-theme"] = CompiledTheme()
            build(cfg)
    except exceptions.Abort:
        if not warnings.said:
            raise
        raise BuildError(warnings.first(config.name)) from None
    finally:
        logger.removeHandler(warnings)
    return chatter.getvalue() + "".join(f"mkdocs WARNING: {line}\n" for line in warnings.said)


class _Warnings(logging.Handler):
    """MkDocs' warnings, which its strict mode turns into a failed build: kept, so that
    the failure is one line naming what the first one names."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.said: list[str] = []

    def emit(self, record) -> None:
        self.said.append(record.getMessage())

    def first(self, config: str) -> str:
        """The first warning as a build error: on the page's source (the docs folder's
        pages are ``content/``'s, rendered) when it names a page."""
        page = re.match(r"Doc file '([^']+)' (.*?)\.?$", self.said[0], re.DOTALL)
        line = f"content/{page[1]}: {page[2]}" if page else f"{config}: MkDocs build failed: {self.said[0]}"
        more = len(self.said) - 1
        return line + (f" (and {more} more warning{'s' if more > 1 else ''} of MkDocs')" if more else "")


def with_generator_theme(theme) -> None:
    """MkDocs' ``theme`` looking up templates in the generator's ``THEME`` after the
    course's ``custom_dir`` (if any) and before Material's own."""
    if str(THEME) not in theme.dirs:
        theme.dirs.insert(1 if theme.custom_dir else 0, str(THEME))


def _theme_folder(course_theme: Path | None, folder: Path) -> Path:
    """Zensical takes one ``custom_dir``: ``folder`` (in the cache) made to hold the
    generator's ``THEME``, then the course's own ``custom_dir`` files over it."""
    sync_docs(folder, layered(THEME, course_theme))
    return folder


def zensical_config(config: Path, docs: Path, out: Path, nav: list) -> Path:
    """``mkdocs.yml`` as Zensical needs it, written beside the docs folder: its docs and
    site folders inside the config's own folder (Zensical's rule), the course's nav,
    and Material's classic look."""
    import yaml

    settings = read_config(config)
    project = docs.parent.parent  # .cache/: holds docs/<edition> and the output
    settings.update(
        docs_dir=docs.relative_to(project).as_posix(),
        site_dir=out.relative_to(project).as_posix(),
        nav=nav,
    )
    theme = settings.setdefault("theme", {})
    theme["variant"] = "classic"
    theme["custom_dir"] = str(_theme_folder(custom_dir(config, settings), project / "theme" / docs.name).resolve())
    path = project / f"zensical-{docs.name}.yml"
    atomic.write_text(path, yaml.safe_dump(settings, sort_keys=False, allow_unicode=True))
    return path


def read_config(config: Path) -> dict:
    """``mkdocs.yml`` as a plain dict, its ``!ENV`` tags resolved."""
    import yaml
    from mkdocs.utils.yaml import get_yaml_loader

    with config.open(encoding="utf-8") as f:
        try:
            return yaml.load(f, Loader=get_yaml_loader()) or {}
        except yaml.MarkedYAMLError as e:  # one line: where, and what
            mark = e.problem_mark or e.context_mark
            where = f", line {mark.line + 1}" if mark else ""
            began = f" ({e.context} on line {e.context_mark.line + 1})" if e.context and e.context_mark else ""
            raise BuildError(f"{config.name}{where}: YAML syntax error: {e.problem}{began}") from None


def custom_dir(config: Path, settings: dict | None = None) -> Path | None:
    """The course's ``theme.custom_dir`` (``settings``: ``config`` read), if it names one."""
    settings = read_config(config) if settings is None else settings
    name = (settings.get("theme") or {}).get("custom_dir")
    if not name:
        return None
    folder = config.parent / name
    if not folder.is_dir():  # as MkDocs says it
        raise BuildError(f"{config.name}: theme.custom_dir: {folder} is not a folder")
    return folder


_STALE_HEAD = '<div class="admonition failure" role="alert"><p class="admonition-title">This preview is out of date</p>'
_STALE = re.compile(re.escape(_STALE_HEAD) + r".*?</div>\n\n", re.DOTALL)  # the error inside is escaped


def stale_notice(error: str) -> str:
    """What a preview's pages say at their top while the last re-render failed: the page
    under it is the last one that built (Material's ``failure`` admonition, as HTML so
    that it needs no Markdown extension)."""
    return (
        f"{_STALE_HEAD}<p>The last re-render stopped, so this page is the last one that built. Fix this and save:</p>"
        f"<p><code>{html.escape(error)}</code></p></div>\n\n"
    )


def mark_stale(docs: Path, error: str) -> None:
    """Every page of ``docs`` with ``stale_notice(error)`` at its top, for a preview that
    runs no MkDocs hooks (Zensical); the next render of the docs folder rewrites them."""
    for page in sorted(docs.rglob("*.md")):
        text = _STALE.sub("", page.read_text(encoding="utf-8"))  # the notice of an earlier failure
        head = text.split("\n---", 1) if text.startswith("---\n") else None  # front matter stays first
        marked = (
            f"{head[0]}\n---\n\n{stale_notice(error)}{head[1].lstrip()}"
            if head and len(head) == 2
            else stale_notice(error) + text
        )
        atomic.write_text(page, marked)


def zensical_command() -> str:
    """The ``zensical`` of this environment (beside its Python)."""
    found = Path(sys.executable).with_name("zensical")
    if not found.is_file():
        raise BuildError("--engine zensical needs zensical: install requirements.lock, which pins it")
    return str(found)


def _zensical(config: Path, docs: Path, staging: Path, nav: list) -> str:
    """Zensical builds into a folder beside the docs (it writes only inside its config's
    folder), copied to the staging folder."""
    out = docs.parent.parent / "zensical" / docs.name
    shutil.rmtree(out, ignore_errors=True)
    cfg = zensical_config(config, docs, out, nav)
    done = subprocess.run([zensical_command(), "build", "--clean", "-f", str(cfg)], capture_output=True, text=True)
    if done.returncode != 0 or not out.is_dir():
        last = (done.stderr or done.stdout).strip().splitlines()
        raise BuildError(f"{config.name}: Zensical build failed: {last[-1] if last else done.returncode}")
    shutil.copytree(out, staging)
    shutil.rmtree(out, ignore_errors=True)
    return "\n".join(line for line in done.stdout.splitlines() if "issue" in line.lower() and "No issues" not in line)


# ---- The search index without TeX ------------------------------------------------------
# Both engines index a page's text as written, math included: a search result's preview
# then shows "\(\hat y = \theta\)". After the build, every formula of the index is
# replaced by a plain-text reading of it ("ŷ = θ"), in MkDocs' index (search/, and the
# offline plugin's copy as a script) and in Zensical's (search.json, search.js).

# (the index file, the script's copy beside it, the key of its entries)
SEARCH_INDEXES = (
    ("search/search_index.json", "search/search_index.js", "docs"),  # MkDocs (Material's search)
    ("search.json", "search.js", "items"),  # Zensical
)
_SCRIPT_PREFIX = "var __index = "

_GREEK = (
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon "
    "phi chi psi omega"
).split()
# TeX's names of symbols and what they read as ("" for spacing and sizing commands)
_NAMED = (
    "varepsilon ε vartheta ϑ varphi φ varrho ϱ varsigma ς ell ℓ in ∈ notin ∉ sum Σ prod ∏ int ∫ infty ∞ "
    "cdot · times × le ≤ leq ≤ ge ≥ geq ≥ ne ≠ neq ≠ approx ≈ sim ∼ equiv ≡ propto ∝ to → rightarrow → "
    "leftarrow ← Rightarrow ⇒ mapsto ↦ partial ∂ nabla ∇ pm ± mp ∓ ldots … dots … cdots ⋯ mid | vert | "
    "lvert | rvert | Vert ‖ lVert ‖ rVert ‖ langle ⟨ rangle ⟩ lfloor ⌊ rfloor ⌋ lceil ⌈ rceil ⌉ forall ∀ "
    "exists ∃ emptyset ∅ cup ∪ cap ∩ subset ⊂ subseteq ⊆ top ⊤ star ⋆ circ ∘ prime ′ degree ° "
    "{ { } } % % & & _ _ # #"
).split()
_SILENT = "$ ! left right big Big bigg Bigg bigl bigr Bigl Bigr displaystyle limits nolimits".split()
_SPACES = [",", ";", ":", " ", "quad", "qquad", "\\"]
_SYMBOLS = {
    **{name: chr(0x3B1 + i + (1 if i > 16 else 0)) for i, name in enumerate(_GREEK)},
    **{name.capitalize(): chr(0x391 + i + (1 if i > 16 else 0)) for i, name in enumerate(_GREEK)},
    **dict(zip(_NAMED[::2], _NAMED[1::2])),
    **dict.fromkeys(_SILENT, ""),
    **dict.fromkeys(_SPACES, " "),
}
_BLACKBOARD = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ", "E": "𝔼", "P": "ℙ"}
# combining marks over the accented letter
_ACCENTS = dict(
    zip(
        "hat widehat bar overline tilde widetilde dot ddot vec".split(),
        "\u0302\u0302\u0304\u0304\u0303\u0303\u0307\u0308\u20d7",
    )
)
# what only names its argument's style: the argument itself
_STYLES = set(
    "text textrm textit textbf mathrm mathit mathbf mathsf mathtt mathcal mathscr mathfrak boldsymbol bm "
    "operatorname emph".split()
)
_SUPER = dict(zip("0123456789+-=()nijkTt*′", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱʲᵏᵀᵗ*′"))
_SUB = dict(zip("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"))
_MATH = re.compile(r"\\\((.*?)\\\)|\\\[(.*?)\\\]", re.S)


def _group(tex: str, i: int) -> tuple[str, int]:
    """The argument at ``tex[i:]`` (a braced group or one character or command), and the
    index after it."""
    while i < len(tex) and tex[i] == " ":
        i += 1
    if i >= len(tex):
        return "", i
    if tex[i] == "{":
        depth = 0
        for j in range(i, len(tex)):
            depth += {"{": 1, "}": -1}.get(tex[j], 0)
            if depth == 0:
                return tex[i + 1 : j], j + 1
        return tex[i + 1 :], len(tex)
    if tex[i] == "\\":
        m = re.match(r"\\([A-Za-z]+|.)", tex[i:])
        return m.group(0), i + m.end()
    return tex[i], i + 1


def _script(text: str, table: dict, mark: str) -> str:
    """A super- or subscript in Unicode's small characters where it has them all, else
    written out (``^(n+1)``)."""
    if text and all(c in table for c in text):
        return "".join(table[c] for c in text)
    return mark + (text if len(text) == 1 else f"({text})")


def tex_plain(tex: str) -> str:
    """A plain-text reading of a TeX formula: Greek letters and symbols as Unicode,
    fractions as a/b, accents as combining marks, scripts as small characters, every
    command and brace gone (``\\frac{1}{N} \\sum_i (y_i - \\hat y_i)^2`` reads
    ``1/N Σᵢ (yᵢ - ŷᵢ)²``)."""
    out, i = [], 0
    tex = html.unescape(tex).replace("&", " ")
    while i < len(tex):
        c = tex[i]
        if c == "\\":
            m = re.match(r"\\([A-Za-z]+|.)", tex[i:])
            name, i = m.group(1), i + m.end()
            if name in ("frac", "dfrac", "tfrac"):
                num, i = _group(tex, i)
                den, i = _group(tex, i)
                num, den = tex_plain(num), tex_plain(den)
                wrap = lambda s: s if re.fullmatch(r"[\w.′]+", s) else f"({s})"  # noqa: E731
                out.append(f"{wrap(num)}/{wrap(den)}")
            elif name == "sqrt":
                arg, i = _group(tex, i)
                out.append(f"√({tex_plain(arg)})")
            elif name in _ACCENTS:
                arg, i = _group(tex, i)
                arg = tex_plain(arg)
                out.append(arg + _ACCENTS[name] if len(arg) == 1 else f"{arg}{_ACCENTS[name]}")
            elif name == "mathbb":
                arg, i = _group(tex, i)
                out.append("".join(_BLACKBOARD.get(ch, ch) for ch in tex_plain(arg)))
            elif name in _STYLES:
                arg, i = _group(tex, i)
                out.append(tex_plain(arg))
            elif name in ("begin", "end"):
                _, i = _group(tex, i)
            elif name in _SYMBOLS:
                out.append(_SYMBOLS[name])
            else:  # \min, \log, \exp, \arg...: the operator's name
                out.append(name if name.isalpha() else "")
        elif c in "^_":
            arg, i = _group(tex, i + 1)
            out.append(_script(tex_plain(arg).strip(), _SUPER if c == "^" else _SUB, c))
        elif c == "{" or c == "}":
            arg, i = _group(tex, i) if c == "{" else ("", i + 1)
            out.append(tex_plain(arg))
        elif c == "~":
            out.append(" ")
            i += 1
        else:
            out.append(c)
            i += 1
    return re.sub(r"\s+", " ", "".join(out))


def plain_math(text: str) -> str:
    """``text`` with each formula in arithmatex's delimiters read as plain text."""
    return _MATH.sub(lambda m: tex_plain(m.group(1) if m.group(1) is not None else m.group(2)).strip(), text)


def plain_search_index(site: Path) -> int:
    """Every search index of the built ``site`` with its formulas as plain text
    (``plain_math``), its script copy rewritten to match; returns how many entries
    changed. Each file keeps its engine's layout (compact JSON, the offline script's
    prefix and ending), so the output stays byte-for-byte reproducible."""
    changed = 0
    for index_name, script_name, key in SEARCH_INDEXES:
        index = site / index_name
        if not index.is_file():
            continue
        raw = index.read_text(encoding="utf-8")
        data = json.loads(raw)
        for entry in data.get(key, []):
            for field in ("title", "text"):
                if isinstance(entry.get(field), str):
                    plain = plain_math(entry[field])
                    changed += plain != entry[field]
                    entry[field] = plain
        compact = '":' in raw[:200] and '": ' not in raw[:200]
        text = json.dumps(data, ensure_ascii=raw.isascii(), separators=(",", ":") if compact else None)
        atomic.write_text(index, text)
        script = site / script_name
        if script.is_file():
            body = script.read_text(encoding="utf-8")
            if body.startswith(_SCRIPT_PREFIX):
                end = ";" if body.rstrip().endswith(";") else ""
                atomic.write_text(script, f"{_SCRIPT_PREFIX}{text}{end}")
    return changed
