"""Experiments and summaries: numpy (and numba) only, no plotting, no files."""
