"""The one registration convention of experiments and figures, in code.

Kinds are found, not listed: a new kind is a new module (``coursegen new``), and no
shared file changes with it, so two people adding kinds never edit the same line. The
convention itself is documented in the docstrings of ``coursegen.experiments`` and
``coursegen.figures``.
"""

import importlib
import inspect
import pkgutil
from pathlib import Path

from coursegen.errors import BuildError, shown


def collect(package: str, path: list[str], attribute: str) -> dict:
    """Every kind that a module of ``package`` (its ``__path__`` is ``path``) lists in its
    module-level dict ``attribute``, sorted by kind; modules are imported in order of name.

    A kind that two modules define stops here, naming both: one would silently replace
    the other, depending on the order of the files.
    """
    kinds: dict = {}
    owners: dict[str, Path] = {}
    for info in sorted(pkgutil.iter_modules(path), key=lambda m: m.name):
        module = importlib.import_module(f"{package}.{info.name}")
        source = Path(inspect.getfile(module))
        for kind, function in getattr(module, attribute, {}).items():
            if kind in owners:
                raise BuildError(
                    f"{attribute} kind {kind!r} is defined twice: in {shown(owners[kind])} and in {shown(source)}; "
                    f"rename one"
                )
            kinds[kind], owners[kind] = function, source
    return dict(sorted(kinds.items()))
