"""The site: pages rendered from Jinja, the nav and home page, notebooks placed, and the
static-site engines (MkDocs or Zensical) that build site/ from the docs folder. The
generator's partials, CSS, JS and vendored KaTeX live here as package data."""
