"""One exception type for every mistake in the sources a build reads.

The CLI prints its message (which names the file and the field or line) instead of a
traceback, and exits non-zero; nothing reaches ``site/`` after one is raised.
"""


class BuildError(Exception):
    """A problem with the build's inputs, worded for the staff member who can fix it."""
