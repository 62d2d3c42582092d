"""Gettext catalogues: the model, exact PO text, merging, and files on disk.

This is the only package that knows about PO files.
"""

from .files import load_catalogue, locked, save_catalogue, write_text_atomic
from .merge import MergeStats, merge
from .model import Catalogue, Message
from .pofile import dumps_po, generate_po, parse_po
from .template import build_template, build_ui_template, new_catalogue, plural_forms, same_messages

__all__ = [
    "Catalogue",
    "MergeStats",
    "Message",
    "build_template",
    "build_ui_template",
    "dumps_po",
    "generate_po",
    "load_catalogue",
    "locked",
    "merge",
    "new_catalogue",
    "parse_po",
    "plural_forms",
    "same_messages",
    "save_catalogue",
    "write_text_atomic",
]
