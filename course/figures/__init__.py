"""Figures: results to SVG, GIF and PNG files, through coursegen.figures (its contract)."""
