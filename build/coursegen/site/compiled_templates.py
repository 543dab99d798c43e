"""Jinja templates compiled once and kept in the cache, for the pages and for MkDocs.

A warm build (every result and figure cached) spent about a third of its time compiling
the same seventy templates again: Material's theme and our partials; then a tenth
compiling the same ninety captions and alt texts (``from_string``). Jinja keys each
compiled template by its name and file and checks a hash of its source, and the file's
header names Jinja's and Python's versions, so an edited template or an upgrade is
compiled anew; what a template renders never depends on this cache.

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


class CompiledTemplates(jinja2.BytecodeCache):
    def __init__(self, folder: Path):
        self.folder = folder

    def get_bucket(self, environment: jinja2.Environment, name: str, filename, source: str) -> jinja2.bccache.Bucket:
        """Jinja's bucket, keyed apart for a sandboxed environment: the sandbox compiles a
        call into a checked one, so code compiled outside it (MkDocs') must not run in it."""
        if environment.sandboxed:
            name = f"sandboxed:{name}"
        return super().get_bucket(environment, name, filename, source)

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
