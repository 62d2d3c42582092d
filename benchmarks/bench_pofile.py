"""PO load + save at N entries: ours against Translate Toolkit, polib and Babel, same file.

Each tool reads the file and writes it to a new path; the table says whether what
it wrote is byte-identical to the input (which gettext's msgcat leaves unchanged).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from pipeline.catalogue import Catalogue, Message, load_catalogue, save_catalogue

from .corpus import merge_case

_ACCENTS = str.maketrans("aeinouAE", "áéíñóúÁÉ")


def catalogue(size: int, seed: int = 3) -> Catalogue:
    """A translated catalogue as people have it: accented translations, some fuzzy with the
    previous text, comments, several references, obsolete entries at the end."""
    rng = random.Random(seed)
    case = merge_case(size, seed=seed)
    messages: list[Message] = []
    for n, (msgid, _) in enumerate(case.old):
        m = Message(msgid, msgstr=msgid.translate(_ACCENTS))
        if rng.random() < 0.1:
            m.fuzzy = True
            m.previous_msgid = msgid[: len(msgid) // 2] + " (before)"
        if rng.random() < 0.03:
            m.obsolete = True  # as msgmerge leaves them: translator comments only
        else:
            m.references = [f"source/doc-{n % 97}.md:{n + i}" for i in range(rng.choice((1, 1, 1, 2, 3)))]
            if rng.random() < 0.05:
                m.extracted_comments.append("paragraph")
        messages.append(m)
    messages.sort(key=lambda m: m.obsolete)
    return Catalogue(
        header=[
            ("Project-Id-Version", "bench"),
            ("Language", "es"),
            ("MIME-Version", "1.0"),
            ("Content-Type", "text/plain; charset=UTF-8"),
            ("Content-Transfer-Encoding", "8bit"),
            ("Plural-Forms", "nplurals=2; plural=(n != 1);"),
        ],
        messages=messages,
    )


def _peers() -> dict[str, Callable[[Path, Path], None]]:
    peers: dict[str, Callable[[Path, Path], None]] = {}
    try:
        from translate.storage import pypo
    except ImportError:
        pass
    else:

        def translate_toolkit(src: Path, dst: Path) -> None:
            pypo.pofile.parsefile(str(src)).savefile(str(dst))  # type: ignore[no-untyped-call]

        peers["Translate Toolkit"] = translate_toolkit
    try:
        import polib
    except ImportError:
        pass
    else:

        def polib_(src: Path, dst: Path) -> None:
            polib.pofile(str(src)).save(str(dst))

        peers["polib"] = polib_
    try:
        from babel.messages import pofile as babel_po
    except ImportError:
        pass
    else:

        def babel(src: Path, dst: Path) -> None:
            with src.open("rb") as f, contextlib.redirect_stdout(io.StringIO()):  # a warning per #~| line
                cat = babel_po.read_po(f)
            with dst.open("wb") as f:
                babel_po.write_po(f, cat, width=79)

        peers["Babel"] = babel
    return peers


def _output(folder: Path, tool: str, run: int) -> Path:
    return folder / f"out-{run}-{tool.replace(' ', '_')}.po"


def run(size: int, repeat: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.po"
        save_catalogue(src, catalogue(size), durable=False)
        original = src.read_bytes()

        def ours(src: Path, dst: Path) -> None:
            save_catalogue(dst, load_catalogue(src))  # durable: synced to disk, as every PO save is

        tools = {"ours": ours, **_peers()}
        times: dict[str, list[float]] = {name: [] for name in tools}
        for _ in range(repeat):  # interleaved, so all see the same machine
            for name, tool in tools.items():
                dst = _output(Path(tmp), name, len(times[name]))
                t = time.perf_counter()
                tool(src, dst)
                times[name].append(time.perf_counter() - t)
        identical = {name: _output(Path(tmp), name, 0).read_bytes() == original for name in tools}
        result: dict[str, object] = {
            "entries": size,
            "bytes": len(original),
            "ours_s": round(statistics.median(times["ours"]), 3),
            "ours_identical": identical["ours"],
            "peers": {
                name: {"s": round(statistics.median(times[name]), 3), "identical": identical[name]}
                for name in tools
                if name != "ours"
            },
        }
        return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(json.dumps(run(args.size, args.repeat), indent=2))


if __name__ == "__main__":
    main()
