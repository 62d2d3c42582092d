"""Reading XML that comes from outside (XLIFF, TMX, TBX from agencies and CAT tools) safely.

The parser never resolves entities, loads a DTD or touches the network; a file that
declares a DOCTYPE with entities is refused rather than parsed. Errors name the file and line.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from .errors import PipelineError


class ExchangeError(PipelineError):
    """An XLIFF, TMX or TBX file is malformed, or cannot be applied."""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False, remove_comments=True
    )


def read_xml(path: Path) -> etree._Element:
    """The root element of ``path``; :class:`ExchangeError` with file:line when it is not well-formed."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExchangeError(f"cannot read: {exc.strerror}", path) from exc
    try:
        tree = etree.fromstring(data, _parser(), base_url=None)
    except etree.XMLSyntaxError as exc:
        raise ExchangeError(f"not well-formed XML: {exc.msg}", path, exc.lineno) from exc
    info = tree.getroottree().docinfo
    if info.internalDTD is not None and any(True for _ in info.internalDTD.iterentities()):
        raise ExchangeError(
            "declares XML entities (refused: they can read files or expand without end)", path
        )
    return tree


def local(element: etree._Element) -> str:
    """An element's name without its namespace (``{urn:...}trans-unit`` -> ``trans-unit``)."""
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def serialise(root: etree._Element, content: frozenset[str]) -> bytes:
    """The document, indented except inside ``content`` elements (whose whitespace is text)."""
    _indent(root, 0, content)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8")) + b"\n"


def _indent(element: etree._Element, level: int, content: frozenset[str]) -> None:
    if local(element) in content or len(element) == 0:
        return
    element.text = "\n" + "  " * (level + 1)
    for child in element:
        _indent(child, level + 1, content)
        child.tail = "\n" + "  " * (level + 1)
    element[-1].tail = "\n" + "  " * level
