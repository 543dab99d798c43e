"""coursegen: a static course-site generator with precomputed, bit-for-bit animations.

Data flows one way, one module a room:

    content/ (parameters)  ->  experiments (numpy)  ->  results (.npz)
        ->  figures (SVG/GIF/PNG)  ->  pages (Jinja -> Markdown)  ->  MkDocs  ->  site/

The import name is ``coursegen`` (the folder on disk is ``build/``) so that it never
shadows PyPA's ``build`` package.
"""
