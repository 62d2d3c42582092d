"""The ``pipeline`` command line: parse the arguments, call a stage, print what it did.

Each command imports only the stage it runs, so a command pays only for what it uses.
"""

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
from .errors import PipelineError
from .exchange_cli import exchange_commands, run_exchange

log = logging.getLogger("pipeline")

DESCRIPTION = """\
Translate patient handouts: English Markdown in source/, gettext catalogues in
locales/ for translators, reviewed HTML and PDF handouts in build/.

The usual order: extract, update, (draft), translators and reviewers work in the
PO files, check, review, build. Every command works on the project folder given
by --project (default: the current folder)."""

EPILOG = "Run 'pipeline COMMAND --help' for a command's options. User errors exit with status 2."

LANG_HELP = "comma-separated locale codes, e.g. es,ar,zh_CN (default: languages in pyproject.toml)"


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
    parser = argparse.ArgumentParser(
        prog="pipeline",
        description=DESCRIPTION,
        epilog=EPILOG,
        parents=[common],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"pipeline {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, summary: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, parents=[common], help=summary, description=summary)

    command("extract", "write a template (.pot) per source document: source/*.md -> locales/templates/")
    up = command("update", "create or merge each language's PO files from the templates, like msgmerge")
    up.add_argument("--lang", help=LANG_HELP)
    bd = command("build", "write the handouts that may be published: build/<format>/<lang>/<doc>.<format>")
    bd.add_argument("--lang", help=LANG_HELP)
    bd.add_argument("--format", default="md,html,pdf", help="comma-separated: md, html, pdf (default: all)")
    bd.add_argument(
        "--preview",
        "--include-fuzzy",
        dest="preview",
        action="store_true",
        help="drafts included and marked, for reviewers; written to build/preview/, never published",
    )
    dr = command("draft", "fill untranslated entries with machine drafts, marked fuzzy for review")
    dr.add_argument("--lang", help=LANG_HELP)
    dr.add_argument(
        "--engine",
        required=True,
        help="google, deepl, microsoft, libre, mymemory, yandex, papago, qcri, llm (OpenAI-compatible); "
        "offline: tm, pseudo(-rtl)",
    )
    dr.add_argument("--url", help="server URL (LibreTranslate; llm: e.g. http://localhost:11434/v1)")
    dr.add_argument("--model", help="llm: the model name, e.g. gpt-4.1-mini or qwen3:14b")
    dr.add_argument("--redraft", action="store_true", help="replace existing fuzzy machine drafts too")
    dr.add_argument(
        "--dry-run", action="store_true", help="show what would be sent: requests, characters (llm: tokens)"
    )
    dr.add_argument(
        "--verbose", action="store_true", help="with --dry-run, llm: show the first request's prompt"
    )
    dr.add_argument("--concurrency", type=int, help="requests in flight (default 8)")
    st = command("status", "per document and language: untranslated, draft, translated, reviewed, failing")
    st.add_argument("--lang", help=LANG_HELP)
    st.add_argument("--format", choices=("table", "json"), default="table", help="output (default: table)")
    ck = command("check", "QA checks on every translation, as file:line reports; exit 1 on errors")
    ck.add_argument("--lang", help=LANG_HELP)
    ck.add_argument("--strict", action="store_true", help="warnings fail the run too")
    rv = command("review", "review batches, sign-off and the bilingual sign-off sheet")
    rsub = rv.add_subparsers(dest="action", required=True, metavar="ACTION")

    def action(name: str, summary: str) -> argparse.ArgumentParser:
        return rsub.add_parser(name, parents=[common], help=summary, description=summary)

    ex = action("export", "write a PO of only the entries that need this reviewer")
    ex.add_argument("--lang", required=True, help="the language to review, e.g. es")
    ex.add_argument("--reviewer", required=True, help="the reviewer's name, as it will appear on sign-offs")
    ex.add_argument("--doc", help="only this document id (default: every document and the templates' words)")
    ex.add_argument("-o", "--output", type=Path, required=True, help="the batch file to write (.po)")
    im = action("import", "merge a reviewed batch back, recording sign-off; conflicts are kept aside")
    im.add_argument("batch", type=Path, help="a batch written by 'review export' and edited by the reviewer")
    sh = action("sheet", "write a bilingual sign-off sheet (HTML + PDF) for a clinician")
    sh.add_argument("--lang", required=True, help="the translation's language, e.g. es")
    sh.add_argument("--doc", help="only this document id (default: every document)")
    sh.add_argument("--engine", help="drafting engine for a back-translation column (e.g. google, libre)")
    sh.add_argument("--url", help="server URL for the engine (LibreTranslate)")
    wv = action("waive", "waive one check's finding on one entry, with a reason, until its text changes")
    wv.add_argument("--lang", required=True, help="the translation's language, e.g. es")
    wv.add_argument("--doc", required=True, help="the document id (or 'ui' for the templates' words)")
    wv.add_argument("--check", required=True, help="the check: numbers, units, number-words, negation...")
    wv.add_argument("--reviewer", required=True, help="who takes responsibility, as on sign-offs")
    wv.add_argument("--reason", required=True, help="why the translation is right despite the finding")
    wv.add_argument("entry", metavar="ENTRY-TEXT-PREFIX", help="the start of the entry's source text")
    sg = action("sign", "sign off translated entries reviewed directly in a PO editor")
    sg.add_argument("--lang", required=True, help="the language reviewed, e.g. es")
    sg.add_argument("--reviewer", required=True, help="the reviewer's name, as it will appear on sign-offs")
    sg.add_argument("--doc", help="only this document id (default: every document and the templates' words)")
    exchange_commands(command, common)
    return parser


def _review(args: argparse.Namespace, config: Config) -> int:
    from .review.signoff import Checker
    from .segment import load_documents, select_documents

    documents = load_documents(config)
    checker = Checker.load(config, documents)
    if args.action == "import":
        from .review.batches import import_batch

        imported = import_batch(config, args.batch, checker, [d.id for d in documents])
        log.info(
            "%d approved, %d edited and signed off by %s; %d edited but still marked fuzzy (not signed); "
            "%d left for later; %d conflict(s)",
            len(imported.approved),
            len(imported.edited),
            "the reviewer",
            len(imported.edited_draft),
            imported.left,
            len(imported.conflicts),
        )
        if not (imported.signed or imported.edited_draft or imported.not_signed or imported.removed):
            log.warning("nothing signed: every entry is still marked fuzzy (Needs work) or in conflict")
        for line in imported.approved:
            log.info("  approved: %s", line)
        for line in imported.edited:
            log.info("  edited: %s", line)
        for line in imported.edited_draft:
            log.info("  edited, still fuzzy: %s", line)
        for line in imported.removed:
            log.warning("translation deleted in the batch: kept, marked fuzzy, not signed: %s", line)
        for line in imported.not_signed:
            log.warning("not signed (fails a check): %s", line)
        for line in imported.conflicts:
            log.warning("conflict, not applied: %s", line)
        if imported.conflicts_path:
            log.warning("%d conflict(s) kept in %s", len(imported.conflicts), imported.conflicts_path)
            return 1
        return 0
    lang = normalize_language(args.lang, "--lang")
    if args.action == "waive":
        from .review.batches import waive_finding

        domain = args.doc if args.doc == UI_DOMAIN else select_documents(config, args.doc, documents)[0].id
        where = waive_finding(
            config, lang, domain, args.check, args.reviewer, args.reason, args.entry, checker
        )
        log.info("waived [%s] by %s: %s", args.check, args.reviewer, where)
        return 0
    chosen = select_documents(config, args.doc, documents)
    if args.action == "sheet":
        from .render.sheet import write_sheets

        for path in write_sheets(config, chosen, lang, checker, args.engine, args.url):
            log.info("%s", path.relative_to(config.root))
        return 0
    ids = [d.id for d in chosen] + ([] if args.doc else [UI_DOMAIN])
    if args.action == "export":
        from .review.batches import export_batch

        result = export_batch(config, lang, args.reviewer, args.output, ids, checker)
        per_doc = ", ".join(f"{d}: {n}" for d, n in result.by_document.items()) or "nothing to review"
        log.info("%s: %d entries for %s (%s)", result.path, result.entries, args.reviewer, per_doc)
        return 0
    from .review.batches import sign_language

    signed = sign_language(config, lang, args.reviewer, ids, checker)
    for line in signed.signed:
        log.info("signed: %s", line)
    log.info(
        "%d signed off by %s, %d already signed, %d not ready (untranslated or fuzzy), %d failing checks",
        len(signed.signed),
        args.reviewer,
        signed.already,
        signed.not_ready,
        len(signed.refused),
    )
    for line in signed.refused:
        log.warning("not signed: %s", line)
    return 0


def _build(args: argparse.Namespace) -> int:
    from .render import prefork
    from .render.pdf import warm_up

    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    # Forked before anything else is read or imported, so that WeasyPrint loads meanwhile.
    renderer = prefork.start(warm_up) if "pdf" in formats else None
    with renderer if renderer is not None else contextlib.nullcontext():
        config = load_config(args.project)
        languages = config.select_languages(args.lang) if (args.lang or config.languages) else ()
        from .manifest import replay

        # Nothing changed since the last build: its results, without loading the planning and rendering.
        results = replay(config, languages, formats, args.preview)
        if results is None:
            from .build import build

            results = build(
                config, languages, formats, preview=args.preview, renderer=renderer, replayable=False
            )
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
        if b.over_budget:
            log.warning("  over its page budget: %s", b.over_budget)
    held_back = {b.language: b.template_words for b in results if b.template_words and b.outputs}
    for lang, words in held_back.items():
        log.warning(
            "%s: %d template word(s) shown in the source language where used: %s",
            lang,
            len(words),
            "; ".join(f"{msgid!r} ({why})" for msgid, why in sorted(words.items())),
        )
    withheld = sum(1 for b in results if b.status.value == "withheld")
    published = sum(1 for b in results if b.status.value == "published")
    where = config.build_dir / ("preview" if args.preview else "") / "index.html"
    log.info("%d published, %d withheld; index: %s", published, withheld, where.relative_to(config.root))
    failed = sum(1 for b in results if b.failed)
    if failed:
        log.error("%d handout(s) could not be rendered (see above)", failed)
    return 1 if failed else 0


def _draft(args: argparse.Namespace, config: Config) -> int:
    from .drafts.run import draft

    reports = draft(
        config,
        config.select_languages(args.lang),
        args.engine,
        url=args.url,
        model=args.model,
        redraft=args.redraft,
        dry_run=args.dry_run,
        verbose=args.verbose,
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
            if rep.prompt_tokens:
                log.info(
                    "  about %d prompt and %d completion tokens (estimated)",
                    rep.prompt_tokens,
                    rep.completion_tokens,
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
        if rep.prompt_tokens or rep.completion_tokens:
            log.info(
                "  tokens used: %d prompt + %d completion = %d",
                rep.prompt_tokens,
                rep.completion_tokens,
                rep.prompt_tokens + rep.completion_tokens,
            )
        if rep.unmatched:
            log.info("  %d left untranslated: %s", len(rep.unmatched), rep.unmatched[0][1])
        for msgid, reason in rep.rejected:
            log.warning("  rejected %r: %s", msgid[:60], reason)
        for msgid, reason in rep.failed:
            log.warning("  failed %r: %s", msgid[:60], reason)
        for msgid, reason in rep.glossary:
            log.warning("  kept, but %s: %r", reason, msgid[:60])
        failed += len(rep.failed)
    return 1 if failed else 0


def _status(args: argparse.Namespace, config: Config) -> int:
    from .review.status import render_table, status_rows

    rows = status_rows(config, config.select_languages(args.lang))
    if args.format == "json":
        print(json.dumps([r.as_dict() for r in rows], ensure_ascii=False, indent=2))
    else:
        print(render_table(rows), end="")
    return 0


def _check(args: argparse.Namespace, config: Config) -> int:
    from .checks import Severity
    from .review.status import project_findings

    errors = warnings = waived = 0
    for finding in project_findings(config, config.select_languages(args.lang)):
        print(finding)
        if finding.problem.waiver:
            waived += 1
        elif finding.problem.severity is Severity.BLOCKING:
            errors += 1
        else:
            warnings += 1
    log.info("%d error(s), %d warning(s), %d waived", errors, warnings, waived)
    return 1 if errors or (args.strict and warnings) else 0


def _run(args: argparse.Namespace) -> int:
    if args.command == "build":
        return _build(args)
    config = load_config(args.project)
    if args.command == "extract":
        from .extract import extract

        for r in extract(config):
            state = "written" if r.written else "unchanged"
            log.info("%s: %d messages (%s)", r.path.relative_to(config.root), r.messages, state)
            for line in r.html_blocks:
                where = r.source.relative_to(config.root) if r.source else r.doc_id
                log.warning("%s:%d: HTML block with text: not translated, shown as written", where, line)
        return 0
    if args.command == "update":
        from .update import update

        for u in update(config, config.select_languages(args.lang)):
            state = "created" if u.created else ("updated" if u.written else "unchanged")
            log.info("%s: %s (%s)", u.path.relative_to(config.root), state, u.stats)
        return 0
    commands = {
        "draft": _draft,
        "status": _status,
        "check": _check,
        "review": _review,
        "xliff": run_exchange,
        "tm": run_exchange,
        "glossary": run_exchange,
    }
    return commands[args.command](args, config)


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
