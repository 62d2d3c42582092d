"""The ``pipeline`` command: a thin layer over :mod:`pipeline.build`."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .config import UI_DOMAIN, Config, load_config, normalize_language
from .errors import ConfigError, PipelineError

log = logging.getLogger("pipeline")


def _parser() -> argparse.ArgumentParser:
    # Options accepted before or after the command; SUPPRESS keeps a sub-command from
    # resetting what was given before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--project",
        type=Path,
        default=argparse.SUPPRESS,
        metavar="DIR",
        help="project folder with source/, locales/ and pyproject.toml (default: .)",
    )
    common.add_argument(
        "-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help="only print errors"
    )
    parser = argparse.ArgumentParser(prog="pipeline", description=__doc__, parents=[common])
    parser.add_argument("--version", action="version", version=f"pipeline {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("extract", parents=[common], help="source/*.md -> locales/templates/<doc>.pot")
    up = sub.add_parser("update", parents=[common], help="templates -> locales/<lang>/LC_MESSAGES/<doc>.po")
    up.add_argument("--lang", help="comma-separated locale codes (default: languages in pyproject)")
    bd = sub.add_parser("build", parents=[common], help="locales + source -> build/<format>/<lang>/<doc>")
    bd.add_argument("--lang", help="comma-separated locale codes (default: languages in pyproject)")
    bd.add_argument("--format", default="md,html,pdf", help="comma-separated: md, html, pdf (default: all)")
    bd.add_argument(
        "--preview",
        "--include-fuzzy",
        dest="preview",
        action="store_true",
        help="drafts included and marked, for reviewers; written to build/preview/, never published",
    )
    dr = sub.add_parser("draft", parents=[common], help="fill untranslated entries with fuzzy machine drafts")
    dr.add_argument("--lang", help="comma-separated locale codes (default: languages in pyproject)")
    dr.add_argument(
        "--engine",
        required=True,
        help="google, deepl, microsoft, libre, mymemory, yandex, papago, qcri; offline: tm, pseudo(-rtl)",
    )
    dr.add_argument("--url", help="server URL (LibreTranslate)")
    dr.add_argument("--redraft", action="store_true", help="replace existing fuzzy machine drafts too")
    dr.add_argument("--dry-run", action="store_true", help="show what would be sent and how many characters")
    dr.add_argument("--concurrency", type=int, help="requests in flight (default 8)")
    st = sub.add_parser(
        "status", parents=[common], help="per document and language: untranslated ... reviewed"
    )
    st.add_argument("--lang", help="comma-separated locale codes (default: languages in pyproject)")
    st.add_argument("--format", choices=("table", "json"), default="table")
    ck = sub.add_parser("check", parents=[common], help="QA checks on every translation; exit 1 on errors")
    ck.add_argument("--lang", help="comma-separated locale codes (default: languages in pyproject)")
    ck.add_argument("--strict", action="store_true", help="warnings fail the run too")
    rv = sub.add_parser("review", parents=[common], help="review batches and sign-off")
    rsub = rv.add_subparsers(dest="action", required=True, metavar="ACTION")
    ex = rsub.add_parser("export", parents=[common], help="a PO of the entries that need this reviewer")
    ex.add_argument("--lang", required=True)
    ex.add_argument("--reviewer", required=True)
    ex.add_argument("--doc", help="only this document id")
    ex.add_argument("-o", "--output", type=Path, required=True)
    im = rsub.add_parser("import", parents=[common], help="merge a reviewed batch back, recording sign-off")
    im.add_argument("batch", type=Path)
    sh = rsub.add_parser(
        "sheet", parents=[common], help="bilingual sign-off sheet (HTML + PDF) for a clinician"
    )
    sh.add_argument("--lang", required=True)
    sh.add_argument("--doc", help="only this document id")
    sh.add_argument("--engine", help="drafting engine for a back-translation column (e.g. google, libre)")
    sh.add_argument("--url", help="server URL for the engine (LibreTranslate)")
    sg = rsub.add_parser(
        "sign", parents=[common], help="sign off every translated entry that passes the checks"
    )
    sg.add_argument("--lang", required=True)
    sg.add_argument("--reviewer", required=True)
    sg.add_argument("--doc", help="only this document id")
    return parser


def _doc_ids(config: Config, only: str | None) -> list[str]:
    from . import build

    ids = [d.id for d in build.load_documents(config)]
    if only:
        if only not in ids:
            raise ConfigError(f"no document with id {only!r}; documents: {', '.join(ids)}")
        return [only]
    return ids


def _run_review(args: argparse.Namespace, config: Config) -> int:
    from . import batches  # imported per command: every command pays for what it imports
    from .checks import load_glossary

    glossary = load_glossary(config.glossary_path)
    ids: list[str] = []
    if args.action in ("export", "sign"):
        ids = _doc_ids(config, args.doc)
        if not args.doc:
            ids.append(UI_DOMAIN)  # the handout templates' words are reviewed too
    if args.action == "export":
        lang = normalize_language(args.lang, "--lang")
        result = batches.export_batch(config, lang, args.reviewer, args.output, ids, glossary)
        per_doc = ", ".join(f"{d}: {n}" for d, n in result.by_document.items()) or "nothing to review"
        log.info("%s: %d entries for %s (%s)", result.path, result.entries, args.reviewer, per_doc)
        return 0
    if args.action == "import":
        imported = batches.import_batch(config, args.batch, glossary)
        log.info(
            "%d applied, %d unchanged, %d signed off", imported.applied, imported.unchanged, imported.signed
        )
        for line in imported.not_signed:
            log.warning("not signed (fails a check): %s", line)
        for line in imported.conflicts:
            log.warning("conflict, not applied: %s", line)
        if imported.conflicts_path:
            log.warning("%d conflict(s) kept in %s", len(imported.conflicts), imported.conflicts_path)
            return 1
        return 0
    lang = normalize_language(args.lang, "--lang")
    if args.action == "sheet":
        from . import build
        from .sheet import add_back_translations, sheet_rows, write_sheet

        docs = [d for d in build.load_documents(config) if not args.doc or d.id == args.doc]
        for doc in docs:
            rows = sheet_rows(doc, config.po_path(lang, doc.id), lang, config, glossary)
            if args.engine:
                add_back_translations(rows, config, lang, args.engine, args.url)
            paths = write_sheet(config, doc, lang, rows, args.engine, config.build_dir / "review" / lang)
            log.info("%s", ", ".join(str(p.relative_to(config.root)) for p in paths))
        return 0
    signed = batches.sign_language(config, lang, args.reviewer, ids, glossary)
    log.info(
        "%d signed off by %s, %d already signed, %d not ready (untranslated or fuzzy), %d failing checks",
        signed.signed,
        args.reviewer,
        signed.already,
        signed.not_ready,
        len(signed.refused),
    )
    for line in signed.refused:
        log.warning("not signed: %s", line)
    return 0


def _run_build(args: argparse.Namespace) -> int:
    from . import prefork
    from .render.pdf import warm_up

    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    # Forked before anything else is read or imported, so that WeasyPrint loads meanwhile.
    renderer = prefork.start(warm_up) if "pdf" in formats else None
    with renderer if renderer is not None else contextlib.nullcontext():
        config = load_config(args.project)
        languages = config.select_languages(args.lang) if (args.lang or config.languages) else ()
        from . import build

        results = build.build(config, languages, formats, preview=args.preview, renderer=renderer)
    for b in results:
        outs = ", ".join(str(o.relative_to(config.root)) for o in b.outputs)
        line = f"{b.doc_id} [{b.language}]: {b.status.value}, {b.translated}/{b.total} translated"
        if b.outputs and not b.rebuilt:
            line += " (unchanged)"
        if b.reason:
            line += f" - {b.reason}"
        log.info("%s%s", line, f" -> {outs}" if outs else "")
        for refused in b.refused:
            log.warning("  refused %s", refused)
    withheld = sum(1 for b in results if b.status.value == "withheld")
    published = sum(1 for b in results if b.status.value == "published")
    where = config.build_dir / ("preview" if args.preview else "") / "index.html"
    log.info("%d published, %d withheld; index: %s", published, withheld, where.relative_to(config.root))
    return 0


def _run(args: argparse.Namespace) -> int:
    if args.command == "build":
        return _run_build(args)
    config = load_config(args.project)
    from . import build

    if args.command == "extract":
        for r in build.extract(config):
            state = "written" if r.written else "unchanged"
            log.info("%s: %d messages (%s)", r.path.relative_to(config.root), r.messages, state)
    elif args.command == "update":
        for u in build.update(config, config.select_languages(args.lang)):
            state = "created" if u.created else ("updated" if u.written else "unchanged")
            log.info("%s: %s (%s)", u.path.relative_to(config.root), state, u.stats)
    elif args.command == "draft":
        from .drafts.run import draft

        reports = draft(
            config,
            config.select_languages(args.lang),
            args.engine,
            url=args.url,
            redraft=args.redraft,
            dry_run=args.dry_run,
            concurrency=args.concurrency,
        )
        failed = 0
        for rep in reports:
            if args.dry_run:
                log.info(
                    "%s [%s]: %d to draft; would send %d request(s), %d characters (%d cached)",
                    rep.language,
                    rep.engine,
                    rep.to_draft,
                    rep.requests,
                    rep.characters,
                    rep.cached,
                )
                continue
            log.info(
                "%s [%s]: %d to draft: %d drafted (%d from cache), %d rejected, %d failed; %d request(s)",
                rep.language,
                rep.engine,
                rep.to_draft,
                rep.drafted,
                rep.cached,
                len(rep.rejected),
                len(rep.failed),
                rep.requests,
            )
            for msgid, reason in rep.rejected:
                log.warning("  rejected %r: %s", msgid[:60], reason)
            for msgid, reason in rep.failed:
                log.warning("  failed %r: %s", msgid[:60], reason)
            for msgid, reason in rep.glossary:
                log.warning("  kept, but %s: %r", reason, msgid[:60])
            failed += len(rep.failed)
        return 1 if failed else 0
    elif args.command == "status":
        from . import qa
        from .checks import load_glossary

        ids = _doc_ids(config, None)
        glossary = load_glossary(config.glossary_path)
        rows = []
        for lang in config.select_languages(args.lang):
            for domain, (_, catalogue) in qa.load_language(config, lang, ids).items():
                rows.append(qa.status_row(domain, lang, catalogue, config, glossary))
        if args.format == "json":
            print(json.dumps([r.as_dict() for r in rows], ensure_ascii=False, indent=2))
        else:
            print(qa.render_table(rows), end="")
    elif args.command == "check":
        from . import qa
        from .checks import Severity, load_glossary

        ids = _doc_ids(config, None)
        glossary = load_glossary(config.glossary_path)
        errors = warnings = 0
        for lang in config.select_languages(args.lang):
            for path, catalogue in qa.load_language(config, lang, ids).values():
                for finding in qa.catalogue_findings(
                    catalogue, path.relative_to(config.root), lang, glossary
                ):
                    print(finding)
                    if finding.problem.severity is Severity.BLOCKING:
                        errors += 1
                    else:
                        warnings += 1
        log.info("%d error(s), %d warning(s)", errors, warnings)
        return 1 if errors or (args.strict and warnings) else 0
    elif args.command == "review":
        return _run_review(args, config)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; user errors print ``file:line: message`` and exit non-zero."""
    args = _parser().parse_args(argv)
    args.project = getattr(args, "project", Path("."))
    args.quiet = getattr(args, "quiet", False)
    logging.basicConfig(format="%(message)s", stream=sys.stderr)
    log.setLevel(logging.WARNING if args.quiet else logging.INFO)
    try:
        return _run(args)
    except PipelineError as exc:
        print(f"pipeline: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"pipeline: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("pipeline: interrupted; files written so far are complete, re-run to finish", file=sys.stderr)
        return 130
