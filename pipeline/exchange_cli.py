"""The command line of the exchange commands: ``xliff``, ``tm`` and ``glossary`` (export and import)."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .config import UI_DOMAIN, Config, normalize_language

log = logging.getLogger("pipeline")


def exchange_commands(
    command: Callable[[str, str], argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add the exchange commands to the ``pipeline`` parser (``command`` adds one)."""

    def action(actions: Any, name: str, summary: str) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = actions.add_parser(
            name, parents=[common], help=summary, description=summary
        )
        return parser

    xl = command(
        "xliff", "exchange with translation agencies' CAT tools: XLIFF 1.2 or 2.0 with states and tags"
    )
    xsub = xl.add_subparsers(dest="action", required=True, metavar="ACTION")
    xe = action(xsub, "export", "write one language's entries as XLIFF")
    xe.add_argument("--lang", required=True, help="the target language, e.g. es")
    xe.add_argument("--doc", help="only this document id (default: every document and the templates' words)")
    xe.add_argument("--version", choices=("1.2", "2.0"), default="1.2", help="XLIFF version (default: 1.2)")
    xe.add_argument("-o", "--output", type=Path, required=True, help="the file to write (.xlf)")
    xi = action(xsub, "import", "apply an XLIFF file from a CAT tool; conflicts reported")
    xi.add_argument(
        "file", type=Path, help="an XLIFF file written by 'xliff export' and worked on in a CAT tool"
    )
    xi.add_argument(
        "--reviewer",
        help="who approved the signed-off units: recorded as their sign-off (default: none recorded)",
    )
    tm = command("tm", "translation memory as TMX 1.4b: export reviewed pairs, import an agency's memory")
    tsub = tm.add_subparsers(dest="action", required=True, metavar="ACTION")
    te = action(tsub, "export", "write one language's reviewed translations as TMX")
    te.add_argument("--lang", required=True, help="the target language, e.g. es")
    te.add_argument(
        "--include-translated", action="store_true", help="also translated entries not yet signed off"
    )
    te.add_argument("-o", "--output", type=Path, required=True, help="the file to write (.tmx)")
    ti = action(tsub, "import", "copy a TMX file into memory/, for the tm engine")
    ti.add_argument("file", type=Path, help="a TMX file (from an agency or a CAT tool)")
    gl = command("glossary", "the glossary as TBX: export glossary.toml, merge an agency's termbase into it")
    gsub = gl.add_subparsers(dest="action", required=True, metavar="ACTION")
    ge = action(gsub, "export", "write glossary.toml as TBX-Basic")
    ge.add_argument("-o", "--output", type=Path, required=True, help="the file to write (.tbx)")
    gi = action(gsub, "import", "merge a TBX file into glossary.toml; conflicts reported")
    gi.add_argument("file", type=Path, help="a TBX file (TBX-Basic or TBX v3)")


def run_exchange(args: argparse.Namespace, config: Config) -> int:
    return {"xliff": _xliff, "tm": _tm, "glossary": _glossary}[args.command](args, config)


def _tm(args: argparse.Namespace, config: Config) -> int:
    if args.action == "import":
        from .exchange.tmx import import_tmx

        imported = import_tmx(config, args.file)
        per = ", ".join(f"{tag}: {n}" for tag, n in sorted(imported.pairs.items()))
        log.info("%s: %s (used by 'draft --engine tm')", imported.path.relative_to(config.root), per)
        if imported.skipped:
            log.warning("%d unit(s) without %s text left out", imported.skipped, config.source_language)
        for tag, n in sorted(imported.other_languages.items()):
            log.warning("%d pair(s) in %s, not a language of the project (kept)", n, tag)
        return 0
    from .exchange.tmx import export_tmx
    from .fileio import write_bytes_atomic
    from .review.signoff import Checker
    from .segment import load_documents

    documents = load_documents(config)
    lang = normalize_language(args.lang, "--lang")
    data, count = export_tmx(
        config,
        lang,
        [d.id for d in documents] + [UI_DOMAIN],
        Checker.load(config, documents),
        args.include_translated,
    )
    write_bytes_atomic(args.output, data)
    log.info(
        "%s: %d %s pair(s)",
        args.output,
        count,
        "translated or reviewed" if args.include_translated else "reviewed",
    )
    return 0


def _glossary(args: argparse.Namespace, config: Config) -> int:
    from .fileio import write_bytes_atomic

    if args.action == "export":
        from .exchange.tbx import export_tbx

        data, count = export_tbx(config)
        write_bytes_atomic(args.output, data)
        log.info("%s: %d term entr%s", args.output, count, "y" if count == 1 else "ies")
        return 0
    from .exchange.tbx import import_tbx

    merged = import_tbx(config, args.file)
    log.info(
        "%s: %d added, %d already there, %d conflict(s)",
        config.glossary_path.name,
        len(merged.added),
        merged.same,
        len(merged.conflicts),
    )
    for line in merged.added:
        log.info("  added %s", line)
    for line in merged.skipped:
        log.warning("skipped %s", line)
    for line in merged.conflicts:
        log.error("conflict, not changed: %s", line)
    return 1 if merged.conflicts else 0


def _xliff(args: argparse.Namespace, config: Config) -> int:
    from .exchange.xliff import UI_ORIGINAL
    from .review.signoff import Checker
    from .segment import load_documents, select_documents

    documents = load_documents(config)
    checker = Checker.load(config, documents)
    originals = {d.relpath: d.id for d in documents} | {UI_ORIGINAL: UI_DOMAIN}
    if args.action == "export":
        from .exchange.xliff import export_xliff
        from .fileio import write_bytes_atomic
        from .xmlfiles import serialise

        lang = normalize_language(args.lang, "--lang")
        chosen = [(d.id, d.relpath) for d in select_documents(config, args.doc, documents)]
        domains = chosen + ([] if args.doc else [(UI_DOMAIN, UI_ORIGINAL)])
        root, count, untagged = export_xliff(config, lang, domains, checker, args.version)
        from .exchange.xliff import CONTENT

        write_bytes_atomic(args.output, serialise(root, CONTENT))
        log.info("%s: XLIFF %s, %d unit(s) in %d file(s)", args.output, args.version, count, len(domains))
        for line in untagged:
            log.warning("sent as plain text, its markup is not the source's (a note says so): %s", line)
        return 0
    from .exchange.xliffread import import_xliff

    result = import_xliff(
        config, args.file, checker, {v: v for v in originals.values()} | originals, args.reviewer
    )
    log.info(
        "%s: %d approved and signed off by %s, %d approved (not signed: no --reviewer), %d translated, "
        "%d saved as drafts, %d unchanged, %d emptied in the file (kept); %d refused, %d conflict(s), "
        "%d failing a check",
        result.language,
        len(result.approved),
        args.reviewer or "nobody",
        len(result.approved_unsigned),
        len(result.translated),
        len(result.drafts),
        result.left,
        len(result.emptied),
        len(result.refused),
        len(result.conflicts),
        len(result.blocked),
    )
    for title, lines in (
        ("approved", result.approved),
        ("translated", result.translated),
        ("draft", result.drafts),
    ):
        for line in lines:
            log.info("  %s: %s", title, line)
    for line in result.approved_unsigned:
        log.warning("approved in the file, not signed off (name the approver with --reviewer): %s", line)
    for line in result.emptied:
        log.warning("the file's target is empty; the translation here is kept as it was: %s", line)
    for line in result.blocked:
        log.warning("saved, not signed: fails a blocking check: %s", line)
    for line in result.refused:
        log.error("refused: %s", line)
    for line in result.conflicts:
        log.error("conflict, not applied: %s", line)
    return 1 if result.failed else 0
