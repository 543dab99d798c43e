"""MkDocs hook used only by ``coursegen serve``: refresh the docs folder before each build.

MkDocs watches ``content/`` and ``templates/`` for us; on every change this re-runs the
pipeline, which reuses cached results and figures, so editing prose re-renders pages
only. A mistake is printed and the previous preview stays up.
"""

import os
from pathlib import Path

from coursegen.cli import Paths
from coursegen.commands import prepare_docs
from coursegen.errors import BuildError


def on_pre_build(config, **kwargs):
    paths = Paths(Path(os.environ["COURSEGEN_ROOT"]), Path(os.environ["COURSEGEN_CACHE"]))
    try:
        prepare_docs(paths, os.environ["COURSEGEN_EDITION"], int(os.environ["COURSEGEN_JOBS"]), print)
    except BuildError as e:
        print(f"error: {e}")
