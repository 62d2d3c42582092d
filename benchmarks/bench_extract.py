"""Extraction (Markdown -> POT files): against markdown-it-py only parsing the same files (the
floor), and, as command lines, against po4a, Translate Toolkit's md2po and mdpo.

In-process figures leave out interpreter start-up; the command-line ones include it for
everyone. po4a and mdpo write one template for all documents, Translate Toolkit and we
one per document.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from markdown_it import MarkdownIt

from pipeline import extract as extract_stage
from pipeline.config import load_config

from .corpus import markdown_corpus


def _timed(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def _command_lines(project: Path, files: list[Path], out: Path) -> dict[str, list[str]]:
    """The peers that are installed, as commands extracting every file of ``files``."""
    ours = [sys.executable, "-m", "pipeline", "--project", str(project), "extract"]
    commands = {"ours (pipeline extract)": ours}
    if shutil.which("po4a-updatepo"):
        masters = [arg for f in files for arg in ("-m", str(f))]
        commands["po4a"] = [
            "po4a-updatepo", "-f", "text", "-o", "markdown", "-M", "UTF-8", *masters,
            "-p", str(out / "po4a.pot"),
        ]  # fmt: skip
    if importlib.util.find_spec("mistletoe") and importlib.util.find_spec("translate"):
        commands["Translate Toolkit md2po"] = [
            sys.executable, "-m", "translate.convert.md2po", "-P",
            "-i", str(project / "source"), "-o", str(out / "tt"),
        ]  # fmt: skip
    return commands


def run(count: int, repeat: int, peers: bool = True, mdpo: bool = True) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "project"
        (project / "source").mkdir(parents=True)
        docs = markdown_corpus(count)
        for i, text in enumerate(docs):
            (project / "source" / f"handout-{i}.md").write_text(text, encoding="utf-8")
        config = load_config(project)
        files = sorted((project / "source").glob("*.md"))
        md = MarkdownIt("commonmark").enable("table")
        templates = project / "locales" / "templates"

        def parse_only() -> None:
            for f in files:
                md.parse(f.read_text(encoding="utf-8"))

        def ours() -> None:
            for pot in templates.glob("*.pot"):
                pot.unlink()  # a fresh extraction every time: every template is written
            extract_stage.extract(config)

        def ours_one_core() -> None:
            saved = extract_stage.PARALLEL_EXTRACT_MIN
            extract_stage.PARALLEL_EXTRACT_MIN = sys.maxsize
            try:
                ours()
            finally:
                extract_stage.PARALLEL_EXTRACT_MIN = saved

        parse_only()
        ours()
        a: list[float] = []
        b: list[float] = []
        c: list[float] = []
        for _ in range(repeat):  # interleaved, so all see the same machine
            a.append(_timed(parse_only))
            b.append(_timed(ours))
            c.append(_timed(ours_one_core))
        parse_s, extract_s, one_core_s = statistics.median(a), statistics.median(b), statistics.median(c)
        result: dict[str, object] = {
            "documents": count,
            "lines": sum(d.count("\n") for d in docs),
            "messages": sum(
                p.read_text(encoding="utf-8").count("\nmsgid ") - 1 for p in templates.glob("*.pot")
            ),
            "markdown_it_parse_s": round(parse_s, 3),
            "extract_s": round(extract_s, 3),
            "ratio": round(extract_s / parse_s, 2),
            "extract_one_core_s": round(one_core_s, 3),
            "ratio_one_core": round(one_core_s / parse_s, 2),
        }
        if not peers:
            return result
        out = Path(tmp) / "peers"
        out.mkdir()
        commands = _command_lines(project, files, out)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(repeat):
            for name, command in commands.items():
                for pot in templates.glob("*.pot"):
                    pot.unlink()
                for old in out.glob("**/*.pot"):
                    old.unlink()  # po4a-updatepo would otherwise merge into last run's template
                t = time.perf_counter()
                subprocess.run(command, check=True, capture_output=True)
                times[name].append(time.perf_counter() - t)
        command_s = {name: round(statistics.median(t), 3) for name, t in times.items()}
        skipped = []
        if "po4a" not in commands:
            skipped.append("po4a (Debian package po4a not installed)")
        if "Translate Toolkit md2po" not in commands:
            skipped.append("Translate Toolkit md2po (pip install 'translate-toolkit[markdown]')")
        if mdpo and importlib.util.find_spec("mdpo"):
            # About 85 times slower than po4a: one run, not a median.
            target = str(out / "mdpo.pot")
            mdpo_cmd = [sys.executable, "-m", "mdpo.md2po", "-q", "-s", "-p", target, *map(str, files)]
            command_s["mdpo (1 run)"] = round(_timed(lambda: subprocess.run(mdpo_cmd, check=True)), 3)
        elif mdpo:
            skipped.append("mdpo (pip install mdpo)")
        result["command_line_s"] = command_s
        result["skipped"] = skipped
        return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-mdpo", action="store_true", help="skip mdpo (about a minute for 200 documents)")
    args = parser.parse_args()
    print(json.dumps(run(args.documents, args.repeat, mdpo=not args.no_mdpo), indent=2))


if __name__ == "__main__":
    main()
