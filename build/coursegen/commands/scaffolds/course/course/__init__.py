"""This course's own code, which coursegen imports as the package ``course``.

Every module here and in the folders below contributes the kinds of its module-level
``EXPERIMENTS``, ``SUMMARIES``, ``FIGURES`` and ``NOTEBOOKS`` dicts; the parameter files
in ``content/`` name them as ``kind = "..."``. ``coursegen new experiment NAME`` and
``coursegen new figure NAME`` add a module with its test.
"""
