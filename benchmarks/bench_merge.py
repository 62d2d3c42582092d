"""Merge (update with fuzzy matching) at N entries: ours against GNU msgmerge, same files.

Prints medians and the pairing quality: slight edits paired with their old
translation, brand-new texts wrongly paired with anything.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from pipeline.catalogue import Catalogue, Message, load_catalogue, merge, save_catalogue

from .corpus import MergeCase, merge_case


def _files(case: MergeCase, folder: Path) -> tuple[Path, Path]:
    header = [
        ("Project-Id-Version", "bench"),
        ("Language", "es"),
        ("Content-Type", "text/plain; charset=UTF-8"),
        ("Content-Transfer-Encoding", "8bit"),
        ("Plural-Forms", "nplurals=2; plural=(n != 1);"),
    ]
    old = Catalogue(
        header=header,
        messages=[Message(i, s, references=[f"doc.md:{n}"]) for n, (i, s) in enumerate(case.old)],
    )
    pot = Catalogue(
        header=header, messages=[Message(i, references=[f"doc.md:{n}"]) for n, i in enumerate(case.new)]
    )
    save_catalogue(folder / "old.po", old)
    save_catalogue(folder / "new.pot", pot)
    return folder / "old.po", folder / "new.pot"


def quality(case: MergeCase, merged: Catalogue) -> tuple[int, int]:
    """(slight edits paired with their own old translation, brand-new texts paired with anything)."""
    old = dict(case.old)
    paired = 0
    wrong = 0
    for m in merged.active:
        if m.msgid in case.edited and m.fuzzy and m.msgstr == old[case.edited[m.msgid]]:
            paired += 1
        if m.msgid in case.fresh and m.msgstr:
            wrong += 1
    return paired, wrong


def run(size: int, repeat: int, msgmerge: bool = True) -> dict[str, object]:
    case = merge_case(size)
    with tempfile.TemporaryDirectory() as tmp:
        old_path, pot_path = _files(case, Path(tmp))
        gettext = shutil.which("msgmerge") if msgmerge else None
        ours: list[float] = []
        theirs: list[float] = []
        for _ in range(repeat):  # interleaved, so both see the same machine
            t = time.perf_counter()
            merged, _ = merge(load_catalogue(old_path), load_catalogue(pot_path))
            save_catalogue(Path(tmp) / "ours.po", merged)
            ours.append(time.perf_counter() - t)
            if gettext:
                t = time.perf_counter()
                out = Path(tmp) / "theirs.po"
                command = [gettext, "--quiet", "--previous", "-o", str(out), str(old_path), str(pot_path)]
                subprocess.run(command, check=True)
                theirs.append(time.perf_counter() - t)
        result: dict[str, object] = {
            "entries": size,
            "edited": len(case.edited),
            "new": len(case.fresh),
            "ours_s": statistics.median(ours),
        }
        result["ours_paired"], result["ours_wrong"] = quality(case, load_catalogue(Path(tmp) / "ours.po"))
        if gettext:
            result["msgmerge_s"] = statistics.median(theirs)
            result["msgmerge_paired"], result["msgmerge_wrong"] = quality(
                case, load_catalogue(Path(tmp) / "theirs.po")
            )
        return result


def scaling(sizes: tuple[int, ...], repeat: int) -> dict[str, object]:
    """Ours at growing sizes (msgmerge would take hours at 100,000): time per entry should stay flat."""
    runs = [run(size, repeat if size <= 20_000 else max(1, repeat // 2), msgmerge=False) for size in sizes]
    per_entry = [float(str(r["ours_s"])) / int(str(r["entries"])) for r in runs]
    return {
        "runs": runs,
        "per_entry_growth": round(per_entry[-1] / per_entry[0], 2),  # 1.0 = exactly linear
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    r = run(args.size, args.repeat)
    print(r)


if __name__ == "__main__":
    main()
