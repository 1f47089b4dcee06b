"""Rendering one sheet: Jinja2 templates to HTML, then WeasyPrint (locked down to the project's files)
to a tagged PDF."""
