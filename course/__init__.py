"""EECS 182 Discussion 1's own code: what coursegen runs for this course.

``experiments/``: gradient descent on the constant and linear models (Section 1) and
one-hidden-layer ReLU networks trained with SGD (Section 2, with its numba kernel and a
numpy trainer that gives the kernel's bits), and the summaries the pages quote.
``figures/``: their animations and pictures. ``notebook.py``: the companion notebook.
``naive.py``: the ReLU animation drawn as a notebook would, which ``make bench`` times.

coursegen imports this folder as the package ``course`` and registers the kinds of
every module's ``EXPERIMENTS``, ``SUMMARIES``, ``FIGURES`` and ``NOTEBOOKS`` dicts
(the convention: coursegen.stages.registry).
"""
