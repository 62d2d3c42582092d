"""Translate patient-education Markdown through gettext catalogues into localised handouts."""

__version__ = "0.1.0"
