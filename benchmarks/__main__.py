"""Run every benchmark, print a table and write build/bench/results.json (python -m benchmarks)."""

from __future__ import annotations

import argparse
import json
import platform
from datetime import UTC, datetime
from pathlib import Path

from . import bench_build, bench_drafts, bench_extract, bench_merge, bench_pofile


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--size", type=int, default=10_000, help="entries in the merge benchmark")
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (median)")
    parser.add_argument("--segments", type=int, default=2000, help="segments in the drafting benchmark")
    parser.add_argument("--latency", type=float, default=0.1, help="engine latency in seconds")
    args = parser.parse_args()
    extraction = bench_extract.run(200, args.repeat)
    merge = bench_merge.run(args.size, args.repeat)
    pofile = bench_pofile.run(args.size, args.repeat)
    drafts = bench_drafts.run(args.segments, args.latency, 8)
    handouts = bench_build.run(args.repeat)
    results = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}",
        "extract": extraction,
        "merge": merge,
        "po_load_save": pofile,
        "drafts": drafts,
        "handouts": handouts,
    }
    out = Path("build") / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print("| benchmark | ours | peer | ratio |\n|---|---|---|---|")
    if "msgmerge_s" in merge:
        ratio = float(merge["msgmerge_s"]) / float(merge["ours_s"])  # type: ignore[arg-type]
        print(
            f"| update {merge['entries']} entries (s, median of {args.repeat}) | {merge['ours_s']:.2f} "
            f"| msgmerge {merge['msgmerge_s']:.2f} | {ratio:.1f}x faster |"
        )
        print(
            f"| slight edits paired (of {merge['edited']}) | {merge['ours_paired']} | "
            f"msgmerge {merge['msgmerge_paired']} | |"
        )
        print(
            f"| new texts wrongly paired (of {merge['new']}) | {merge['ours_wrong']} | "
            f"msgmerge {merge['msgmerge_wrong']} | |"
        )
    else:
        print(
            f"| update {merge['entries']} entries (s) | {merge['ours_s']:.2f} | "
            "msgmerge not installed: skipped | |"
        )
    same = {True: "byte-identical", False: "differs"}
    for name, peer in pofile["peers"].items():  # type: ignore[attr-defined]
        print(
            f"| PO load + save {pofile['entries']} entries (s; output vs input) | {pofile['ours_s']} "
            f"{same[bool(pofile['ours_identical'])]} | {name} {peer['s']} {same[peer['identical']]} "
            f"| {peer['s'] / float(pofile['ours_s']):.2f}x faster |"  # type: ignore[arg-type]
        )
    if not pofile["peers"]:
        print(f"| PO load + save | {pofile['ours_s']} | Translate Toolkit not installed: skipped | |")
    print(
        f"| drafting, segments/s at {args.latency * 1000:.0f} ms, 8 in flight "
        f"| {drafts['segments_per_second']} "
        f"| ideal {drafts['ideal_per_second']} | {drafts['share_of_ideal']:.0%} of ideal |"
    )
    print(f"| requests on a repeated drafting run | {drafts['requests_second_run']} | | |")
    print(
        f"| build {handouts['handouts']} handouts, html + pdf (s) | {handouts['build_s']} "
        f"| WeasyPrint alone, same HTML, fresh process {handouts['weasyprint_alone_cold_process_s']} "
        f"| {handouts['ratio_vs_weasyprint_cold_process']}x |"
    )
    print(f"| no-op rebuild (s) | {handouts['noop_rebuild_s']} | | |")
    print(f"| rebuild after one PO changed (s) | {handouts['one_po_changed_s']} | | |")
    print(f"\nwritten to {out / 'results.json'}")


if __name__ == "__main__":
    main()
