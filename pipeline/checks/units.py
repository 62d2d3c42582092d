"""``units``: every dose and duration keeps its value and its unit: "4 mg" never becomes "4 g".

The unit words of each language come from CLDR (Babel's unit patterns in their long, short
and narrow forms for every plural category), plus the symbols used in clinics worldwide and
a few common forms CLDR lacks. A number followed (or preceded) by one of them is a quantity;
each quantity of the source must be in the translation with the same value and unit.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

from babel import Locale
from babel.core import UnknownLocaleError
from babel.localedata import LocaleDataDict, load

from .base import Context
from .lexicon import UNSPACED, base_language
from .numbers import NUMBER, ascii_digits, number_groups

UNITS: Mapping[str, str] = {
    "milligram": "mass-milligram",
    "microgram": "mass-microgram",
    "gram": "mass-gram",
    "kilogram": "mass-kilogram",
    "milliliter": "volume-milliliter",
    "liter": "volume-liter",
    "percent": "concentr-percent",
    "second": "duration-second",
    "minute": "duration-minute",
    "hour": "duration-hour",
    "day": "duration-day",
    "week": "duration-week",
    "month": "duration-month",
    "year": "duration-year",
}
"""The units a patient handout doses and schedules in: our name -> CLDR unit."""

SYMBOLS: Mapping[str, str] = {
    "mg": "milligram",
    "mcg": "microgram",
    "µg": "microgram",
    "μg": "microgram",
    "g": "gram",
    "kg": "kilogram",
    "mL": "milliliter",
    "ml": "milliliter",
    "L": "liter",
    "%": "percent",
    "٪": "percent",
}
"""Written the same in every language."""

EXTRA: Mapping[str, Mapping[str, str]] = {
    "en": {"hrs": "hour", "mins": "minute", "secs": "second", "wks": "week", "yrs": "year",
           "cc": "milliliter"},
    "ar": {"مجم": "milligram", "ملغ": "milligram", "ملجم": "milligram", "مل": "milliliter",
           "ملل": "milliliter"},
    "vi": {"giờ": "hour", "ngày": "day", "tuần": "week", "tháng": "month", "năm": "year", "phút": "minute"},
    "zh": {"小时": "hour", "小時": "hour", "分钟": "minute", "天": "day", "周": "week", "星期": "week",
           "个月": "month", "年": "year", "毫克": "milligram", "毫升": "milliliter"},
    "fa": {"میلی گرم": "milligram", "میلیگرم": "milligram", "میلی لیتر": "milliliter", "سی سی": "milliliter"},
}
"""Common forms CLDR does not list (Egyptian Arabic "مجم", Vietnamese "giờ", abbreviations)."""

_FILL = r"[\d.,\u066b\u066c\s\u00a0\u202f\u200e\u200f\u061c/-]+"  # number, spaces and marks around a unit
_STRIP = re.compile(f"^{_FILL}|{_FILL}$")
_GAP = re.compile(r"[ \u00a0\u202f\t-]?")


@lru_cache(maxsize=64)
def unit_forms(language: str) -> dict[str, str]:
    """Every way ``language`` writes our units (form -> unit), without forms that could mean two."""
    lang = base_language(language)
    seen: dict[str, set[str]] = {}

    def add(form: str, unit: str) -> None:
        form = unicodedata.normalize("NFC", form.strip())
        if form and not form.isdigit():
            seen.setdefault(form if len(form) <= 2 else form.casefold(), set()).add(unit)

    try:
        data: Any = load(str(Locale.parse(language.replace("-", "_"))))
        patterns = LocaleDataDict(data)["unit_patterns"]
    except (UnknownLocaleError, ValueError, KeyError):
        patterns = {}
    for unit, cldr in UNITS.items():
        lengths = patterns.get(cldr) or {}
        for length in ("long", "short", "narrow"):
            # Every plural category's pattern ("{0} horas") and the per-unit one ("{0}/h").
            for pattern in (lengths.get(length) or {}).values():
                if isinstance(pattern, str):
                    add(_STRIP.sub("", pattern.replace("{0}", " ")), unit)
    for form, unit in {**SYMBOLS, **EXTRA.get(lang, {})}.items():
        add(form, unit)
    return {form: next(iter(units)) for form, units in seen.items() if len(units) == 1}


@lru_cache(maxsize=64)
def _pattern(language: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(unit right after a number, unit right before a number)."""
    forms = sorted(unit_forms(language), key=len, reverse=True)
    alternation = "|".join(
        re.escape(f) if len(f) <= 2 else "".join(f"[{re.escape(c)}{re.escape(c.upper())}]" for c in f)
        for f in forms
    )
    boundary = "" if base_language(language) in UNSPACED else r"(?![^\W\d_])"
    after = re.compile(rf"{_GAP.pattern}({alternation}){boundary}")
    before = re.compile(rf"(?<![^\W\d_])({alternation}){_GAP.pattern}$")
    return after, before


def quantities(text: str, language: str) -> Counter[tuple[tuple[str, ...], str]]:
    """(value, unit) of every number written with one of our units."""
    forms = unit_forms(language)
    after, before = _pattern(language)
    plain = ascii_digits(text)
    found: Counter[tuple[tuple[str, ...], str]] = Counter()
    for m in NUMBER.finditer(plain):
        unit_match = after.match(plain, m.end()) or before.search(plain, 0, m.start())
        if unit_match:
            form = unit_match.group(1)
            unit = forms.get(form) or forms.get(form.casefold())
            if unit:
                found[(number_groups(m.group(0)), unit)] += 1
    return found


def _show(quantity: tuple[tuple[str, ...], str]) -> str:
    groups, unit = quantity
    return f"{'.'.join(groups)} {unit}"


def check_units(ctx: Context) -> Iterator[str]:
    """Each quantity of the source is in the translation with the same value and unit."""
    want = quantities(ctx.source, ctx.source_language)
    if not want:
        return
    got = quantities(ctx.translation, ctx.language)
    for quantity in sorted((want - got).elements()):
        value = quantity[0]
        instead = sorted(q for q in (got - want).elements() if q[0] == value)
        if instead:
            yield f"{_show(quantity)} in the source is {_show(instead[0])} in the translation"
        else:
            yield f"{_show(quantity)} in the source is not in the translation with the same unit"
