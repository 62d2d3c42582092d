"""The benchmarks keep working (small sizes; CI runs this, not the full benchmark)."""

from __future__ import annotations

import shutil

from benchmarks import bench_build, bench_drafts, bench_extract, bench_merge, bench_pofile


def test_merge_benchmark_smoke() -> None:
    result = bench_merge.run(400, 1)
    paired, edited, wrong, new = (int(str(result[k])) for k in ("ours_paired", "edited", "ours_wrong", "new"))
    assert result["entries"] == 400 and edited > 20
    assert paired >= 0.95 * edited
    assert wrong <= max(1, new // 10)
    if shutil.which("msgmerge"):
        assert "msgmerge_s" in result


def test_drafting_benchmark_smoke() -> None:
    result = bench_drafts.run(40, 0.01, 8)
    assert result["drafted"] == result["segments"] == 55  # 40 paragraphs + the templates' 15 words
    assert result["requests_first_run"] == 55 and result["requests_second_run"] == 0
    llm = bench_drafts.run_llm(40, 0.01, 20, 4)
    assert llm["drafted"] == llm["segments"] == 55 and llm["rejected"] == 0
    assert llm["requests_first_run"] == 3 and llm["requests_second_run"] == 0  # 2 batches, 1 for the words


def test_build_benchmark_smoke() -> None:
    result = bench_build.run(1)
    assert result["handouts"] == 12  # every document in every language, all reviewed for the benchmark
    assert {"build_s", "weasyprint_alone_cold_process_s", "noop_rebuild_s", "one_po_changed_s"} <= set(result)


def test_extract_benchmark_smoke() -> None:
    result = bench_extract.run(5, 1, mdpo=False)
    assert result["documents"] == 5 and int(str(result["lines"])) > 300 and int(str(result["messages"])) > 100
    assert {"markdown_it_parse_s", "extract_s", "ratio", "extract_one_core_s"} <= set(result)
    commands = result["command_line_s"]
    assert isinstance(commands, dict) and "ours (pipeline extract)" in commands
    if shutil.which("po4a-updatepo"):
        assert "po4a" in commands


def test_po_load_save_benchmark_smoke() -> None:
    result = bench_pofile.run(300, 1)
    assert result["entries"] == 300 and result["ours_identical"] is True
    peers = result["peers"]
    assert isinstance(peers, dict) and "polib" in peers  # a test dependency, so always measured here
