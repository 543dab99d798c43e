"""MkDocs hook used only by ``coursegen serve``: refresh the docs folder before each build.

MkDocs watches ``content/``, ``templates/`` and ``site_src/`` for us; on every change this
re-runs the pipeline, which reuses cached results and figures, so editing prose
re-renders pages only. It takes the build lock like any build, and writes only its own
edition's docs folder, so a ``make site`` of another edition meanwhile is never mixed
with it. A mistake is printed and the previous preview stays up.
"""

import os
from pathlib import Path

from coursegen.cli import Paths
from coursegen.commands import build_lock, prepare_docs
from coursegen.errors import BuildError


def on_pre_build(config, **kwargs):
    paths = Paths(Path(os.environ["COURSEGEN_ROOT"]), Path(os.environ["COURSEGEN_CACHE"]))
    try:
        with build_lock(paths):
            prepare_docs(paths, os.environ["COURSEGEN_EDITION"], int(os.environ["COURSEGEN_JOBS"]), print)
    except BuildError as e:
        print(f"error: {e}")
