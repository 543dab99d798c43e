"""Tools around the build: make bench, the PDF handouts, Chromium, page weight."""
