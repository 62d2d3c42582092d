"""Drafting throughput against a LibreTranslate-compatible server on 127.0.0.1 with fixed latency.

Prints segments per second against the ideal (concurrency / latency) and the
number of requests a second run sends (it must be 0).
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from pipeline.config import load_config
from pipeline.drafts.run import draft
from tests.fake_libre import FakeLibre

from .corpus import sentences

ROOT = Path(__file__).resolve().parent.parent


def run(segments: int, latency: float, concurrency: int) -> dict[str, float | int]:
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        (project / "source").mkdir()
        (project / "source" / "bench.md").write_text(
            "\n\n".join(sentences()[:segments]) + "\n", encoding="utf-8"
        )
        settings = "\n[tool.pipeline.engines.libre]\nrate = 1000\nflush_seconds = 2\n"
        (project / "pyproject.toml").write_text(
            (ROOT / "pyproject.toml").read_text(encoding="utf-8") + settings, encoding="utf-8"
        )
        shutil.copy(ROOT / "glossary.toml", project / "glossary.toml")
        from pipeline.extract import extract
        from pipeline.update import update

        config = load_config(project)
        extract(config)
        update(config, ["es"])
        with FakeLibre(latency=latency) as fake:
            start = time.perf_counter()
            (first,) = draft(
                config, ["es"], "libre", url=fake.url, concurrency=concurrency, show_progress=False
            )
            elapsed = time.perf_counter() - start
            sent = fake.requests
            (second,) = draft(
                config, ["es"], "libre", url=fake.url, concurrency=concurrency, show_progress=False
            )
            again = fake.requests - sent
        rate = first.drafted / elapsed
        ideal = concurrency / latency
        return {
            "segments": first.to_draft,
            "drafted": first.drafted,
            "seconds": round(elapsed, 2),
            "segments_per_second": round(rate, 1),
            "ideal_per_second": ideal,
            "share_of_ideal": round(rate / ideal, 3),
            "requests_first_run": sent,
            "requests_second_run": again,
            "second_run_requests_reported": second.requests,
        }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--segments", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    print(json.dumps(run(args.segments, args.latency, args.concurrency)))


if __name__ == "__main__":
    main()
