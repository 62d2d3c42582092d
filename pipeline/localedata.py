"""What a language needs on the page, from Babel's CLDR data: direction, digits, names, dates, fonts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from babel import Locale
from babel.dates import format_date

# Digits and CSS counter styles of the CLDR numbering systems a clinic is likely to meet.
_DIGITS = {
    "arab": ("٠١٢٣٤٥٦٧٨٩", "arabic-indic"),
    "arabext": ("۰۱۲۳۴۵۶۷۸۹", "persian"),
    "deva": ("०१२३४५६७८९", "devanagari"),
    "beng": ("০১২৩৪৫৬৭৮৯", "bengali"),
    "mymr": ("၀၁၂၃၄၅၆၇၈၉", "myanmar"),
    "thai": ("๐๑๒๓๔๕๖๗๘๙", "thai"),
    "khmr": ("០១២៣៤៥៦៧៨៩", "khmer"),
    "laoo": ("໐໑໒໓໔໕໖໗໘໙", "lao"),
    "tibt": ("༠༡༢༣༤༥༦༧༨༩", "tibetan"),
}

FONT_PACKAGES = {"cjk": "fonts-noto-cjk", "core": "fonts-noto-core"}


@dataclass(frozen=True, slots=True)
class LocaleInfo:
    """Everything the templates need to know about one language."""

    code: str  # gettext code: zh_CN
    tag: str  # BCP 47 for <html lang>: zh-CN
    direction: str  # ltr | rtl
    autonym: str  # the language's name in itself
    counter_style: str  # CSS counter style for page numbers
    digits: str  # the locale's own digits 0-9
    fonts: tuple[str, ...]  # CSS font families, the language's own first

    def native_digits(self, text: str) -> str:
        if self.digits == "0123456789":
            return text
        return text.translate(str.maketrans("0123456789", self.digits))

    def format_date(self, value: dt.date) -> str:
        return self.native_digits(format_date(value, format="long", locale=self.code))

    def name_in(self, other: str) -> str:
        """This language's name in language ``other`` (for the clinic's index)."""
        return Locale.parse(self.code).get_display_name(other) or self.code


_LATIN = ("Noto Sans",)
_SCRIPT_FONTS = {
    "Arab": ("Noto Naskh Arabic", "Noto Sans Arabic"),
    "Hebr": ("Noto Sans Hebrew",),
    "Deva": ("Noto Sans Devanagari",),
    "Ethi": ("Noto Sans Ethiopic",),
    "Beng": ("Noto Sans Bengali",),
    "Thai": ("Noto Sans Thai",),
    "Geor": ("Noto Sans Georgian",),
    "Armn": ("Noto Sans Armenian",),
}
_CJK = {
    "SC": "Noto Sans CJK SC",
    "TC": "Noto Sans CJK TC",
    "JP": "Noto Sans CJK JP",
    "KR": "Noto Sans CJK KR",
}
_FALLBACK = (
    "Noto Sans",
    "Noto Naskh Arabic",
    "Noto Sans Hebrew",
    "Noto Sans Devanagari",
    "Noto Sans Ethiopic",
    "Noto Sans CJK SC",
)


def _script(locale: Locale) -> str:
    if locale.script:
        return locale.script
    likely = {
        "ar": "Arab",
        "fa": "Arab",
        "ur": "Arab",
        "ps": "Arab",
        "he": "Hebr",
        "yi": "Hebr",
        "hi": "Deva",
        "mr": "Deva",
        "ne": "Deva",
        "am": "Ethi",
        "ti": "Ethi",
        "bn": "Beng",
        "th": "Thai",
        "ka": "Geor",
        "hy": "Armn",
        "zh": "Hans",
        "ja": "Jpan",
        "ko": "Kore",
    }
    if locale.language == "zh" and locale.territory in ("TW", "HK", "MO"):
        return "Hant"
    return likely.get(locale.language, "Latn")


def font_families(code: str) -> tuple[str, ...]:
    """The font stack for a language: its own script first, then every script's fallback."""
    script = _script(Locale.parse(code))
    own: tuple[str, ...]
    if script in ("Hans", "Hant", "Jpan", "Kore"):
        own = (_CJK[{"Hans": "SC", "Hant": "TC", "Jpan": "JP", "Kore": "KR"}[script]],)
    else:
        own = _SCRIPT_FONTS.get(script, ())
    return tuple(dict.fromkeys((*own, *_LATIN, *_FALLBACK)))


def font_package(family: str) -> str:
    """The Debian package that ships a Noto family."""
    return FONT_PACKAGES["cjk"] if "CJK" in family else FONT_PACKAGES["core"]


@lru_cache(maxsize=64)
def locale_info(code: str) -> LocaleInfo:
    locale = Locale.parse(code)
    digits, counter = _DIGITS.get(locale.default_numbering_system or "latn", ("0123456789", "decimal"))
    return LocaleInfo(
        code=code,
        tag=code.replace("_", "-"),
        direction="rtl" if locale.text_direction == "rtl" else "ltr",
        autonym=locale.get_display_name(code) or code,
        counter_style=counter,
        digits=digits,
        fonts=font_families(code),
    )
