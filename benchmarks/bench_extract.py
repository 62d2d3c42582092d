"""Extraction (Markdown -> POT files) against markdown-it-py only parsing the same files."""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from markdown_it import MarkdownIt

from pipeline.build import extract
from pipeline.config import load_config

from .corpus import markdown_corpus


def run(count: int, repeat: int) -> dict[str, float | int]:
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        (project / "source").mkdir()
        docs = markdown_corpus(count)
        for i, text in enumerate(docs):
            (project / "source" / f"handout-{i}.md").write_text(text, encoding="utf-8")
        config = load_config(project)
        files = sorted((project / "source").glob("*.md"))
        md = MarkdownIt("commonmark").enable("table")

        def parse_only() -> None:
            for f in files:
                md.parse(f.read_text(encoding="utf-8"))

        def ours() -> None:
            for pot in (project / "locales" / "templates").glob("*.pot"):
                pot.unlink()  # a fresh extraction every time: every template is written
            extract(config)

        parse_only()
        ours()
        a, b = [], []
        for _ in range(repeat):  # interleaved, so both see the same machine
            t = time.perf_counter()
            parse_only()
            a.append(time.perf_counter() - t)
            t = time.perf_counter()
            ours()
            b.append(time.perf_counter() - t)
        parse_s, extract_s = statistics.median(a), statistics.median(b)
        return {
            "documents": count,
            "lines": sum(d.count("\n") for d in docs),
            "markdown_it_parse_s": round(parse_s, 3),
            "extract_s": round(extract_s, 3),
            "ratio": round(extract_s / parse_s, 2),
        }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(json.dumps(run(args.documents, args.repeat)))


if __name__ == "__main__":
    main()
