"""One sheet rendered: Jinja2 templates to HTML, stylesheets checked, then WeasyPrint (reading
only the project's files) to a tagged PDF."""
