"""Review: states and sign-off kept in the PO entries, QA status, review batches, the sign-off sheet."""

from __future__ import annotations

from .signoff import (
    SignOff,
    digest,
    entry_context,
    is_critical,
    references_by_domain,
    reviewers,
    sign,
    signoffs,
    state,
    valid_signoffs,
)

__all__ = [
    "SignOff",
    "digest",
    "entry_context",
    "is_critical",
    "references_by_domain",
    "reviewers",
    "sign",
    "signoffs",
    "state",
    "valid_signoffs",
]
