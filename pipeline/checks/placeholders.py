"""``placeholders``: printf and Python format placeholders in the templates' words must match.

``Version %(version)s`` translated as ``Versión %(versio)s`` would stop every build with a
KeyError; ``msgfmt -c`` refuses it for the same reason. Placeholders are compared as a multiset.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from .base import Context

PLACEHOLDER = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)[sdif]|%[sdif]|\{[A-Za-z_][A-Za-z0-9_]*\}|%%")


def placeholders(text: str) -> Counter[str]:
    return Counter(m.group(0) for m in PLACEHOLDER.finditer(text))


def check_placeholders(ctx: Context) -> Iterator[str]:
    """Every placeholder of the source and no other."""
    want, got = placeholders(ctx.source), placeholders(ctx.translation)
    if want != got:
        missing = sorted((want - got).elements())
        extra = sorted((got - want).elements())
        parts = ([f"missing {', '.join(missing)}"] if missing else []) + (
            [f"not in the source {', '.join(extra)}"] if extra else []
        )
        yield "placeholders differ: " + "; ".join(parts)
