"""Run every benchmark, print a table and write build/bench/results.json (python -m benchmarks)."""

from __future__ import annotations

import argparse
import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import bench_build, bench_drafts, bench_extract, bench_merge, bench_pofile


def _row(*cells: object) -> None:
    print("| " + " | ".join(str(c) for c in cells) + " |")


def _print_table(r: dict[str, Any], repeat: int) -> None:
    print(f"\nmedians of {repeat} runs unless said otherwise; {r['machine']}")
    _row("benchmark", "ours", "peer", "ratio")
    _row("---", "---", "---", "---")
    x = r["extract"]
    _row(
        f"extract {x['documents']} documents ({x['lines']:,} lines), in process (s)",
        f"{x['extract_s']} ({x['extract_one_core_s']} on one core)",
        f"markdown-it-py parse only {x['markdown_it_parse_s']}",
        f"{x['ratio']}x ({x['ratio_one_core']}x on one core)",
    )
    commands = dict(x.get("command_line_s", {}))
    ours_cli = commands.pop("ours (pipeline extract)", None)
    for name, seconds in commands.items():
        _row("extract, command line (s)", ours_cli, f"{name} {seconds}", f"{seconds / ours_cli:.1f}x faster")
    for skipped in x.get("skipped", []):
        _row("extract, command line", ours_cli, f"skipped: {skipped}", "")
    m = r["merge"]
    if "msgmerge_s" in m:
        _row(
            f"update {m['entries']:,} entries (s)",
            f"{m['ours_s']:.2f}",
            f"msgmerge {m['msgmerge_s']:.2f}",
            f"{m['msgmerge_s'] / m['ours_s']:.1f}x faster",
        )
        _row(
            f"slight edits paired (of {m['edited']})",
            m["ours_paired"],
            f"msgmerge {m['msgmerge_paired']}",
            "",
        )
        _row(
            f"new texts wrongly paired (of {m['new']})",
            m["ours_wrong"],
            f"msgmerge {m['msgmerge_wrong']}",
            "",
        )
    else:
        _row(f"update {m['entries']:,} entries (s)", f"{m['ours_s']:.2f}", "msgmerge not installed", "")
    s = r["merge_scaling"]
    small, large = s["runs"][0], s["runs"][-1]
    _row(
        f"update {large['entries']:,} entries (s)",
        f"{large['ours_s']:.2f}",
        f"ours at {small['entries']:,}: {small['ours_s']:.2f}",
        f"time per entry x{s['per_entry_growth']}",
    )
    _row(
        f"at {large['entries']:,}: edits paired / new wrongly paired",
        f"{large['ours_paired']}/{large['edited']}, {large['ours_wrong']}/{large['new']}",
        "",
        "",
    )
    p = r["po_load_save"]
    same = {True: "byte-identical", False: "differs"}
    for name, peer in p["peers"].items():
        _row(
            f"PO load + save {p['entries']:,} entries (s; output vs input)",
            f"{p['ours_s']} {same[p['ours_identical']]}",
            f"{name} {peer['s']} {same[peer['identical']]}",
            f"{peer['s'] / p['ours_s']:.2f}x faster",
        )
    d = r["drafts"]
    _row(
        f"drafting, segments/s at {r['latency_ms']} ms, 8 in flight",
        d["segments_per_second"],
        f"ideal {d['ideal_per_second']}",
        f"{d['share_of_ideal']:.0%} of ideal",
    )
    _row("requests on a repeated drafting run", d["requests_second_run"], "", "")
    m = r["drafts_llm"]
    _row(
        f"llm drafting, segments/s at 800 ms, batch 20, 4 in flight ({m['segments']:,} segments)",
        m["segments_per_second"],
        f"ideal {m['ideal_per_second']}",
        f"{m['share_of_ideal']:.0%} of ideal",
    )
    _row("requests on a repeated llm drafting run", m["requests_second_run"], "", "")
    h = r["handouts"]
    _row(
        f"build {h['handouts']} handouts, html + pdf (s)",
        h["build_s"],
        f"WeasyPrint alone, same HTML, fresh process {h['weasyprint_alone_cold_process_s']}",
        f"{h['ratio_vs_weasyprint_cold_process']}x",
    )
    _row("no-op rebuild (s)", h["noop_rebuild_s"], "", "")
    _row("rebuild after one PO changed (s)", h["one_po_changed_s"], "", "")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--size", type=int, default=10_000, help="entries in the merge and PO benchmarks")
    parser.add_argument("--scale-to", type=int, default=100_000, help="entries in the merge scaling run")
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (median)")
    parser.add_argument("--segments", type=int, default=2000, help="segments in the drafting benchmark")
    parser.add_argument("--latency", type=float, default=0.1, help="engine latency in seconds")
    parser.add_argument("--no-mdpo", action="store_true", help="skip mdpo (about a minute for 200 documents)")
    args = parser.parse_args()
    results: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} cores, {platform.machine()}, "
        f"{platform.python_implementation()} {platform.python_version()}",
        "latency_ms": round(args.latency * 1000),
    }
    results["extract"] = bench_extract.run(200, args.repeat, mdpo=not args.no_mdpo)
    results["merge"] = bench_merge.run(args.size, args.repeat)
    results["merge_scaling"] = bench_merge.scaling((args.size, args.scale_to), args.repeat)
    results["po_load_save"] = bench_pofile.run(args.size, args.repeat)
    results["drafts"] = bench_drafts.run(args.segments, args.latency, 8)
    results["drafts_llm"] = bench_drafts.run_llm(args.segments, 0.8, 20, 4)
    results["handouts"] = bench_build.run(args.repeat)
    out = Path("build") / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    _print_table(results, args.repeat)
    print(f"\nwritten to {out / 'results.json'}")


if __name__ == "__main__":
    main()
