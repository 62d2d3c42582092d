"""Turn assembled Markdown into reader-facing formats. Only this package touches Jinja2."""
