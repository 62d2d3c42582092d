"""A SQLite cache of engine answers: the same text is never sent twice, a re-run sends nothing."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path


class DraftCache:
    """Engine answers keyed by engine, languages and the exact text sent. Safe across threads."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS drafts (engine TEXT, source TEXT, target TEXT, text TEXT, "
            "answer TEXT, note TEXT, created TEXT, PRIMARY KEY (engine, source, target, text))"
        )
        self._db.commit()

    def get(self, engine: str, source: str, target: str, text: str) -> tuple[str, str] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT answer, note FROM drafts WHERE engine=? AND source=? AND target=? AND text=?",
                (engine, source, target, text),
            ).fetchone()
        return (row[0], row[1]) if row else None

    def put(self, engine: str, source: str, target: str, text: str, answer: str, note: str) -> None:
        """Store one answer at once (committed), so an interrupted run loses nothing it paid for."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO drafts VALUES (?, ?, ?, ?, ?, ?, ?)",
                (engine, source, target, text, answer, note, now),
            )
            self._db.commit()

    def close(self) -> None:
        with self._lock:
            self._db.close()
