"""Drafting throughput against local fakes with fixed latency: LibreTranslate (one segment per
request) and an OpenAI-compatible server (the llm engine, a batch per request).

Prints segments per second against the ideal (concurrency x batch / latency) and the number of
requests a second run sends (it must be 0).
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
from tests.fake_openai import FakeOpenAI

from .corpus import sentences

ROOT = Path(__file__).resolve().parent.parent


def _project(tmp: str, segments: int, settings: str) -> Path:
    project = Path(tmp)
    (project / "source").mkdir()
    (project / "source" / "bench.md").write_text("\n\n".join(sentences()[:segments]) + "\n", encoding="utf-8")
    (project / "pyproject.toml").write_text(
        (ROOT / "pyproject.toml").read_text(encoding="utf-8") + settings, encoding="utf-8"
    )
    shutil.copy(ROOT / "glossary.toml", project / "glossary.toml")
    from pipeline.extract import extract
    from pipeline.update import update

    config = load_config(project)
    extract(config)
    update(config, ["es"])
    return project


def run(segments: int, latency: float, concurrency: int) -> dict[str, float | int]:
    with tempfile.TemporaryDirectory() as tmp:
        config = load_config(
            _project(tmp, segments, "\n[tool.pipeline.engines.libre]\nrate = 1000\nflush_seconds = 2\n")
        )
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


def run_llm(segments: int, latency: float, batch: int, concurrency: int) -> dict[str, float | int]:
    """The llm engine: ``segments`` in batches of ``batch``, ``concurrency`` requests in flight."""
    settings = (
        f"\n[tool.pipeline.engines.llm]\nmodel = 'bench'\nrate = 1000\nbatch = {batch}\nflush_seconds = 2\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        config = load_config(_project(tmp, segments, settings))
        with FakeOpenAI(latency=latency) as fake:
            start = time.perf_counter()
            (first,) = draft(
                config, ["es"], "llm", url=fake.url, concurrency=concurrency, show_progress=False
            )
            elapsed = time.perf_counter() - start
            sent = fake.requests
            draft(config, ["es"], "llm", url=fake.url, concurrency=concurrency, show_progress=False)
            again = fake.requests - sent
        rate = first.drafted / elapsed
        ideal = concurrency * batch / latency
        return {
            "segments": first.to_draft,
            "drafted": first.drafted,
            "rejected": len(first.rejected),
            "seconds": round(elapsed, 2),
            "segments_per_second": round(rate, 1),
            "ideal_per_second": ideal,
            "share_of_ideal": round(rate / ideal, 3),
            "requests_first_run": sent,
            "requests_second_run": again,
            "tokens": first.prompt_tokens + first.completion_tokens,
        }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--segments", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--llm", action="store_true", help="the llm engine: 800 ms, batch 20, 4 in flight")
    args = parser.parse_args()
    if args.llm:
        print(json.dumps(run_llm(args.segments, 0.8, 20, 4)))
    else:
        print(json.dumps(run(args.segments, args.latency, args.concurrency)))


if __name__ == "__main__":
    main()
