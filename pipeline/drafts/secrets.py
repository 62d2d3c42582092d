"""Keeping engine credentials out of everything the pipeline prints or stores."""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import quote, quote_plus


def redact(text: str, secrets: Sequence[str]) -> str:
    """``text`` with every secret (also URL-encoded) replaced by ``***``."""
    for secret in secrets:
        if secret:
            for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
                text = text.replace(form, "***")
    return re.sub(r"(api[_-]?key|key|token|secret)=([^&\s]+)", r"\1=***", text, flags=re.IGNORECASE)
