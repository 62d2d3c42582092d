"""Handout build against WeasyPrint alone on the same HTML; no-op and one-PO rebuilds."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# As an installed package runs: with its compiled bytecode (a shell with PYTHONDONTWRITEBYTECODE
# set would compile every module on every run, which is not what a user's build costs).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"PYTHONPATH": str(ROOT)}


def _review_all(project: Path) -> None:
    from pipeline.catalogue import load_catalogue, save_catalogue
    from pipeline.review import sign

    for po in sorted((project / "locales").glob("*/LC_MESSAGES/*.po")):
        catalogue = load_catalogue(po)
        for m in catalogue.messages:
            m.fuzzy = False
            sign(m, "Bench A", dt.date(2026, 1, 1))
            sign(m, "Bench B", dt.date(2026, 1, 1))
        save_catalogue(po, catalogue)


def _pipeline(project: Path, *args: str) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pipeline", "--project", str(project), "-q", *args],
        check=True,
        env=ENV,
    )
    return time.perf_counter() - start


def _weasy_one(item: tuple[str, str]) -> None:
    from weasyprint import HTML

    html, base = item
    HTML(filename=html, base_url=base).write_pdf(pdf_variant="pdf/ua-1")  # the PDF options the build uses


def _weasyprint_alone(pages: list[Path], workers: int) -> float:
    items = [(str(p), str(p.parent) + "/") for p in pages]
    start = time.perf_counter()
    if workers == 1:
        for item in items:
            _weasy_one(item)
    else:
        with ProcessPoolExecutor(workers) as pool:
            list(pool.map(_weasy_one, items))
    return time.perf_counter() - start


def run(repeat: int) -> dict[str, float | int]:
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        for name in ("source", "locales"):
            shutil.copytree(ROOT / name, project / name)
        for name in ("pyproject.toml", "glossary.toml"):
            shutil.copy(ROOT / name, project / name)
        _review_all(project)
        # One build makes the pages WeasyPrint renders alone; they are kept apart from ours.
        _pipeline(project, "build", "--format", "html")
        peer_html = Path(tmp) / "peer-html"
        shutil.copytree(project / "build" / "html", peer_html)
        shutil.rmtree(project / "build")
        pages = sorted(peer_html.glob("*/*.html"))
        workers = os.cpu_count() or 1
        script = (
            "import sys\nfrom concurrent.futures import ProcessPoolExecutor\n"
            "from benchmarks.bench_build import _weasy_one\n"
            f"items = {[(str(p), str(p.parent) + '/') for p in pages]!r}\n"
            f"with ProcessPoolExecutor({workers}) as pool:\n    list(pool.map(_weasy_one, items))\n"
        )
        full, cold = [], []
        for _ in range(repeat):  # interleaved: ours, then WeasyPrint alone in a fresh process
            shutil.rmtree(project / "build", ignore_errors=True)
            full.append(_pipeline(project, "build", "--format", "html,pdf"))
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", script], check=True, env=ENV)
            cold.append(time.perf_counter() - start)
        alone_cold = statistics.median(cold)
        alone_1 = statistics.median(_weasyprint_alone(pages, 1) for _ in range(repeat))
        alone_n = statistics.median(_weasyprint_alone(pages, workers) for _ in range(repeat))
        noop = statistics.median(_pipeline(project, "build", "--format", "html,pdf") for _ in range(repeat))
        po = project / "locales" / "es" / "LC_MESSAGES" / "ketamine-therapy-faq.po"
        one = []
        for i in range(repeat):
            po.write_text(po.read_text(encoding="utf-8") + f"\n# bench {i}\n", encoding="utf-8")
            one.append(_pipeline(project, "build", "--format", "html,pdf"))
        build_s = statistics.median(full)
        return {
            "handouts": len(pages),
            "build_s": round(build_s, 2),
            "weasyprint_alone_1_core_s": round(alone_1, 2),
            f"weasyprint_alone_{workers}_cores_s": round(alone_n, 2),
            "ratio_vs_weasyprint_same_cores": round(build_s / alone_n, 2),
            "weasyprint_alone_cold_process_s": round(alone_cold, 2),
            "ratio_vs_weasyprint_cold_process": round(build_s / alone_cold, 2),
            "noop_rebuild_s": round(noop, 2),
            "one_po_changed_s": round(statistics.median(one), 2),
        }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    print(json.dumps(run(parser.parse_args().repeat)))


if __name__ == "__main__":
    main()
