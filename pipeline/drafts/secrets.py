"""Keeping engine credentials out of everything the pipeline prints or stores."""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import quote, quote_plus, unquote, urlsplit


def redact(text: str, secrets: Sequence[str]) -> str:
    """``text`` with every secret (also URL-encoded) replaced by ``***``."""
    for secret in secrets:
        if secret:
            for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
                text = text.replace(form, "***")
    return re.sub(r"(api[_-]?key|key|token|secret)=([^&\s]+)", r"\1=***", text, flags=re.IGNORECASE)


def url_secrets(url: object) -> tuple[str, ...]:
    """The password (and user name) written in a URL (``http://user:secret@host/``), if any.

    A user name shorter than four characters is left out: redacting "a" everywhere would
    garble every message, and it is not the secret part.
    """
    if not url:
        return ()
    parts = urlsplit(str(url))
    user = unquote(parts.username or "")
    return tuple(v for v in (unquote(parts.password or ""), user if len(user) >= 4 else "") if v)


def public_host(url: str) -> str:
    """``host:port`` of a URL without any credentials: what may be stored (cache keys) and shown."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    return f"{host}:{parts.port}" if parts.port else host
