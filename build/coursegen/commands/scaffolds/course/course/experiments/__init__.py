"""Experiments: numpy only, no plotting, no files."""
