"""MkDocs hook used only by ``coursegen serve``: refresh the docs folder before each build.

MkDocs watches the course's ``content/``, ``course/``, ``templates/``, ``site_src/`` and theme
``custom_dir`` for us; on every change this
re-runs the pipeline, which reuses cached results and figures, so editing prose
re-renders pages only. It takes the build lock like any build, and writes only its own
edition's docs folder, so a ``make site`` of another edition meanwhile is never mixed
with it. A mistake is printed, and the previous preview stays up with a notice at
the top of every page naming it.
"""

import os
import sys
from pathlib import Path

from mkdocs.exceptions import ConfigurationError

from coursegen.commands.build import build_lock, prepare_docs
from coursegen.course import Course
from coursegen.errors import BuildError
from coursegen.site import engines, worksheets
from coursegen.site.compiled_templates import CompiledTemplates
from coursegen.stages.editions import publication
from coursegen.stages.executors import Options

_SERVER: list = []  # the preview's server, once it serves (on_serve)
_FAILED: list[str] = []  # the last re-render's error, while it is the last word


def on_config(config, **kwargs):
    """The generator's theme overrides, as a build has them (engines.with_generator_theme);
    a ``custom_dir`` that ``mkdocs.yml`` names while the preview runs is watched from then."""
    engines.with_generator_theme(config.theme)
    if _SERVER and config.theme.custom_dir:
        _SERVER[0].watch(config.theme.custom_dir)  # once per path: MkDocs counts a repeat
    return config


def on_serve(server, config, **kwargs):
    """The docs folder is the hook's own output, not a source: watched (as MkDocs does),
    each re-render it writes would set off a second rebuild of every saved edit. A slip
    in ``mkdocs.yml`` saved meanwhile is one line, as in a build, not MkDocs' traceback;
    the preview keeps the last site until the file reads again."""
    _SERVER.append(server)
    server.unwatch(config.docs_dir)
    rebuild, path = server.builder, Path(config.config_file_path)

    def builder():
        try:
            engines.read_config(path)
            rebuild()
        except BuildError as e:
            print(f"error: {e}", file=sys.stderr)
        except ConfigurationError as e:
            print(f"error: {path.name}: {e}", file=sys.stderr)

    server.builder = builder
    return server


def on_pre_build(config, **kwargs):
    """Refresh the docs folder, and the nav (a worksheet added meanwhile joins it)."""
    paths = Course(Path(os.environ["COURSEGEN_ROOT"]), Path(os.environ["COURSEGEN_CACHE"]))
    _FAILED.clear()
    try:
        paths.activate()  # the course's code, reloaded where it was edited
        shown = publication(os.environ["COURSEGEN_EDITION"], os.environ.get("COURSEGEN_AS_OF"), paths.root)
        with build_lock(paths):
            sheets, _ = prepare_docs(paths, shown, Options(int(os.environ["COURSEGEN_JOBS"])), print)
        config["nav"] = worksheets.nav(sheets)
    except BuildError as e:
        print(f"error: {e}", file=sys.stderr)
        _FAILED.append(str(e))


def on_page_markdown(markdown, **kwargs):
    """While the last re-render failed, every page says so at its top, with the error:
    the page under it is the last one that built, which staff would otherwise take for
    their edit."""
    return engines.stale_notice(_FAILED[0]) + markdown if _FAILED else markdown


def on_env(env, config, **kwargs):
    """Material's templates compiled once for every rebuild of the preview."""
    env.bytecode_cache = CompiledTemplates(
        Course(Path(os.environ["COURSEGEN_ROOT"]), Path(os.environ["COURSEGEN_CACHE"])).compiled_templates
    )
    return env
