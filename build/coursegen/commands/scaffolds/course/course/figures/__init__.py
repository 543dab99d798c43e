"""Figures: results to files, through coursegen.figures."""
