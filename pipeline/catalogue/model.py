"""The catalogue model: gettext messages and catalogues, free of any file I/O."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

MessageKey = tuple[str | None, str]
"""A message's identity in a catalogue: ``(msgctxt, msgid)``."""


@dataclass(slots=True)
class Message:
    """One PO entry. ``lineno`` is where it starts in the file it was read from (0 if new)."""

    msgid: str
    msgstr: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr_plural: list[str] = field(default_factory=list)
    translator_comments: list[str] = field(default_factory=list)
    extracted_comments: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    previous_msgctxt: str | None = None
    previous_msgid: str | None = None
    previous_msgid_plural: str | None = None
    obsolete: bool = False
    lineno: int = field(default=0, compare=False)

    @property
    def key(self) -> MessageKey:
        return (self.msgctxt, self.msgid)

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @fuzzy.setter
    def fuzzy(self, value: bool) -> None:
        if value and "fuzzy" not in self.flags:
            self.flags.insert(0, "fuzzy")
        elif not value and "fuzzy" in self.flags:
            self.flags.remove("fuzzy")

    @property
    def translated(self) -> bool:
        """True when every msgstr is non-empty (whether fuzzy or not)."""
        if self.msgid_plural is not None:
            return bool(self.msgstr_plural) and all(self.msgstr_plural)
        return self.msgstr != ""

    def has_translation(self) -> bool:
        """True when any msgstr carries text: work that must never be dropped."""
        return self.msgstr != "" or any(self.msgstr_plural)


@dataclass(slots=True)
class Catalogue:
    """A PO or POT file: header plus messages in file order (obsolete ones last)."""

    header: list[tuple[str, str]] = field(default_factory=list)
    header_comments: list[str] = field(default_factory=list)
    header_flags: list[str] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)

    def header_value(self, name: str) -> str | None:
        for key, value in self.header:
            if key.lower() == name.lower():
                return value
        return None

    def set_header(self, name: str, value: str) -> None:
        for i, (key, _) in enumerate(self.header):
            if key.lower() == name.lower():
                self.header[i] = (key, value)
                return
        self.header.append((name, value))

    @property
    def active(self) -> Iterator[Message]:
        return (m for m in self.messages if not m.obsolete)

    @property
    def obsolete(self) -> Iterator[Message]:
        return (m for m in self.messages if m.obsolete)

    def index(self) -> dict[MessageKey, Message]:
        """Active messages by key."""
        return {m.key: m for m in self.messages if not m.obsolete}

    @property
    def language(self) -> str | None:
        return self.header_value("Language")
