"""Jinja templates compiled once and kept in the cache, for the pages and for MkDocs.

A warm build (every result and figure cached) spent about a third of its time compiling
the same seventy templates again: Material's theme and our partials; then a tenth
compiling the same ninety captions and alt texts (``from_string``). Jinja keys each
compiled template by its name and file and checks a hash of its source, and the file's
header names Jinja's and Python's versions; the key here adds coursegen's modules and
the libraries' versions (Jinja runs a filter of constants when it compiles), and
whether the sandbox compiled it. So an edited template, another coursegen or an
upgrade is compiled anew; what a template renders never depends on this cache.

The cache only saves time, so it never stops a build: a file that cannot be read is
compiled again, one that cannot be written (a full disk, a read-only cache) is not
kept. Files are written under a ``.tmp-`` name and moved into place (coursegen.atomic),
so a killed build leaves nothing half-written that a later one would read, and the
cache's sweep removes what it left.
"""

import hashlib
import pickle
from pathlib import Path

import jinja2

from coursegen import atomic
from coursegen.stages import cache, units


class CompiledTemplates(jinja2.BytecodeCache):
    def __init__(self, folder: Path):
        self.folder = folder
        # Jinja folds a filter of constants into the code it compiles ({{ 0.5 | num }}
        # becomes its text): code compiled by another coursegen or another version of a
        # library (MkDocs', Material's filters) is not reused
        made_by = (units.generator_digests(), sorted(cache.library_versions().items()))
        self.salt = hashlib.sha256(repr(made_by).encode()).hexdigest()[:16]

    def get_bucket(self, environment: jinja2.Environment, name: str, filename, source: str) -> jinja2.bccache.Bucket:
        """Jinja's bucket, keyed apart for a sandboxed environment: the sandbox compiles a
        call into a checked one, so code compiled outside it (MkDocs') must not run in it."""
        sandbox = "sandboxed:" if environment.sandboxed else ""
        return super().get_bucket(environment, f"{self.salt}:{sandbox}{name}", filename, source)

    def _path(self, bucket: jinja2.bccache.Bucket) -> Path:
        return self.folder / f"{bucket.key}.jinja"

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            bucket.bytecode_from_string(self._path(bucket).read_bytes())
        except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError):  # missing or damaged: compiled again
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            atomic.write_bytes(self._path(bucket), bucket.bytecode_to_string())
        except OSError:
            pass


def from_string(env: jinja2.Environment, source: str) -> jinja2.Template:
    """``env.from_string(source)``, compiled once: kept in ``env``'s cache under the
    hash of ``source`` (Jinja keeps a template from a string nowhere)."""
    cache = env.bytecode_cache
    if cache is None:
        return env.from_string(source)
    name = "string:" + hashlib.sha256(source.encode("utf-8")).hexdigest()
    bucket = cache.get_bucket(env, name, None, source)
    if bucket.code is None:
        bucket.code = env.compile(source)
        cache.set_bucket(bucket)
    return env.template_class.from_code(env, bucket.code, env.make_globals(None))
