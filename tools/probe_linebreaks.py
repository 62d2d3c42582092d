"""Learn libunistring's line-break pair table from GNU gettext itself.

gettext wraps PO strings at UAX #14 break opportunities as implemented by the
libunistring it links. Its pair table differs from the rules in today's UAX #14
in places, so rather than guess we ask ``msgcat``: for every pair of classes
(A, B) we write a string whose A|B boundary sits exactly at the line limit and
see whether msgcat breaks there, with and without a space between them.

Usage: python tools/probe_linebreaks.py  (needs msgcat; rewrites
pipeline/catalogue/_linebreak_pairs.py).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.catalogue._linebreak_data import RANGES  # noqa: E402
from pipeline.catalogue.wrap import char_width, line_break_class  # noqa: E402

PAGE = 30
WIDTH = PAGE - 2
SKIP = {"BK", "SP", "CM", "ZWJ", "ZW", "SG"}


def representatives() -> dict[str, str]:
    reps: dict[str, str] = {}
    for start, end, _ in RANGES:
        for cp in range(start, min(end, start + 64) + 1):
            ch = chr(cp)
            if ch in '"\\' or cp < 0x20 or unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn", "Cf"):
                continue
            cls = line_break_class(ch)
            if cls in SKIP or cls in reps or char_width(ch) == 0:
                continue
            reps[cls] = ch
    reps["OPW"] = "\uff08"  # an East Asian wide OP, which UAX #14 LB30 treats apart
    return reps


def main() -> None:
    reps = representatives()
    classes = sorted(reps)
    probes: list[tuple[str, str, bool, str, int]] = []
    for a in classes:
        for b in classes:
            ca, cb = reps[a], reps[b]
            for space in (False, True):
                mid = ca + (" " if space else "")
                filler = "a" * (WIDTH - sum(char_width(c) for c in mid))
                text = filler + mid + cb + "a" * 12
                probes.append((a, b, space, text, len(filler + mid)))
    header = 'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n'
    body = "".join(f'\nmsgid "{t}"\nmsgstr ""\n' for _, _, _, t, _ in probes)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "probe.po"
        src.write_text(header + body, encoding="utf-8")
        out = subprocess.run(
            ["msgcat", f"--width={PAGE}", str(src)], capture_output=True, text=True, check=True
        ).stdout
    entries = out.split("\n\n")[1:]
    assert len(entries) == len(probes), (len(entries), len(probes))
    table: dict[tuple[str, str], str] = {}
    for (a, b, space, _text, pos), entry in zip(probes, entries, strict=True):
        lines = [ln for ln in entry.split("\n") if ln.startswith('"')]
        offsets = []
        total = 0
        for ln in lines[:-1]:
            total += len(ln[1:-1])
            offsets.append(total)
        broke = pos in offsets
        prev = table.get((a, b))
        if not space:
            table[(a, b)] = "D" if broke else "P"
        elif prev == "P" and broke:
            table[(a, b)] = "I"
    rows = "\n".join(f"    ({a!r}, {b!r}): {v!r}," for (a, b), v in sorted(table.items()) if v != "D")
    (ROOT / "pipeline" / "catalogue" / "_linebreak_pairs.py").write_text(
        '"""Line-break pair decisions learned from GNU gettext 0.21 / libunistring 1.0 by\n'
        "tools/probe_linebreaks.py: 'P' never break, 'I' break only after spaces; pairs\n"
        'not listed allow a break ("D")."""\n\n'
        f"REPRESENTATIVES = {dict(sorted(reps.items()))!r}\n\n"
        f"PAIRS: dict[tuple[str, str], str] = {{\n{rows}\n}}\n",
        encoding="utf-8",
    )
    print(f"{len(classes)} classes, {sum(v != 'D' for v in table.values())} non-direct pairs")


if __name__ == "__main__":
    main()
