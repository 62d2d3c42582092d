"""The ``pipeline`` command: a thin layer over :mod:`pipeline.build`."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__, build
from .config import load_config
from .errors import PipelineError

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
    return parser


def _run(args: argparse.Namespace) -> int:
    config = load_config(args.project)
    if args.command == "extract":
        for r in build.extract(config):
            state = "written" if r.written else "unchanged"
            log.info("%s: %d messages (%s)", r.path.relative_to(config.root), r.messages, state)
    elif args.command == "update":
        for u in build.update(config, config.select_languages(args.lang)):
            state = "created" if u.created else ("updated" if u.written else "unchanged")
            log.info("%s: %s (%s)", u.path.relative_to(config.root), state, u.stats)
    elif args.command == "build":
        formats = [f.strip() for f in args.format.split(",") if f.strip()]
        languages = config.select_languages(args.lang) if (args.lang or config.languages) else ()
        results = build.build(config, languages, formats, preview=args.preview)
        for b in results:
            outs = ", ".join(str(o.relative_to(config.root)) for o in b.outputs)
            line = f"{b.doc_id} [{b.language}]: {b.status.value}, {b.translated}/{b.total} translated"
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
