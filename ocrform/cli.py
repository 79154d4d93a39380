"""Command line: ``ocrform convert``, ``ocrform validate``, ``ocrform schema``, ``ocrform fix-pdf``.

Every failure is one line naming the file and the reason; a bad file in a batch never
stops the others, and the exit status says whether anything failed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ocrform import __version__
from ocrform.errors import InputError

if TYPE_CHECKING:
    from ocrform.batch import Limits, Settings, Task
    from ocrform.batch.progress import Reporter

EXIT_OK = 0
EXIT_SOME_FAILED = 1
EXIT_USAGE = 2
EXIT_ALL_FAILED = 3
# Every file converted, but some said what went wrong on the way (damaged input, lost
# pages, no form found): their results may be incomplete.
EXIT_PROBLEMS = 4


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ocrform",
        description="Digitise 项目支出绩效自评表 forms from PDFs and scans into canonical JSON.",
    )
    parser.add_argument("--version", action="version", version=f"ocrform {__version__}")
    sub = parser.add_subparsers(dest="command")

    conv = sub.add_parser("convert", help="convert PDFs, images, text dumps, Word and Excel files to JSON")
    conv.add_argument("inputs", nargs="+", type=Path, help="files or folders (folders are searched recursively)")
    conv.add_argument("-o", "--output", type=Path, required=True, help="output folder")
    conv.add_argument(
        "--format",
        default="json",
        metavar="LIST",
        help="outputs, comma-separated: json (always), csv, xlsx (tables per document), html (a QA report per batch)",
    )
    conv.add_argument("--engine", default="rapidocr", help="OCR engine for scans: rapidocr (default) or paddleocr")
    conv.add_argument(
        "--engine-option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="engine setting, e.g. det_model_dir=/models/det (repeatable)",
    )
    conv.add_argument("--dpi", type=int, default=200, help="resolution for rendering image-only PDF pages")
    conv.add_argument(
        "--one-document-per-folder",
        action="store_true",
        help="each folder given is one document: its page images in natural name order (page_2 before page_10)",
    )
    conv.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=None,
        help="cores to use (default: all this process may run on, while 1 GiB of free memory is left for "
        "each): up to N files at once, each in its own process, and the cores left over shared among them; "
        "--jobs 1 keeps to one core",
    )
    conv.add_argument("--force", action="store_true", help="convert again files whose output is up to date")
    conv.add_argument("--retry-failed", action="store_true", help="try again files that failed in an earlier run")
    conv.add_argument(
        "--timeout", type=float, default=900.0, help="seconds one file may take before it fails (default 900; 0: none)"
    )
    conv.add_argument(
        "--max-memory", default="3G", help="memory one file may use before it fails (default 3G; 0: no limit)"
    )
    conv.add_argument("--log-json", type=Path, metavar="FILE", help="append each event as a JSON line to FILE")
    conv.add_argument(
        "--ray",
        nargs="?",
        const="",
        default=None,
        metavar="ADDRESS",
        help="run the files as Ray tasks: on the cluster at ADDRESS, or a local Ray instance (needs ocrform[ray])",
    )
    talk = conv.add_mutually_exclusive_group()
    talk.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    talk.add_argument("-v", "--verbose", action="store_true", help="also print files up to date and stage times")
    conv.set_defaults(func=_cmd_convert)

    val = sub.add_parser(
        "validate",
        help="re-run the arithmetic checks on JSON files (ours, hand-edited, a form or a list of forms)",
        description="Re-run the arithmetic checks (执行率 = B/A, 得分 ≤ 分值, 总分 = sum of rows) on JSON files: "
        "one line per failed check. Exit status: 0 all pass, 1 some check fails, 2 a file is not JSON or not "
        "of the schema, 3 a file cannot be read.",
    )
    val.add_argument(
        "files", nargs="+", type=Path, help="JSON files, or folders (the *.json files in them, not in their subfolders)"
    )
    val.add_argument("-q", "--quiet", action="store_true", help="no summary line")
    val.set_defaults(func=_cmd_validate)

    sch = sub.add_parser("schema", help="print the canonical JSON Schema")
    sch.set_defaults(func=_cmd_schema)

    fix = sub.add_parser("fix-pdf", help="write a copy of a PDF whose text layer extracts correctly")
    fix.add_argument("input", type=Path)
    fix.add_argument("-o", "--output", type=Path, required=True, help="output PDF path")
    fix.set_defaults(func=_cmd_fix_pdf)
    return parser


def _cmd_schema(args: argparse.Namespace) -> int:
    import ocrform

    print(json.dumps(ocrform.schema(), ensure_ascii=False, indent=1))
    return EXIT_OK


def _cmd_convert(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from ocrform.batch.server import start_early

    if args.ray is None:
        start_early()  # before this process loads the converter's modules itself

    from ocrform.batch import make_tasks, plan, run_local
    from ocrform.batch.manifest import Manifest
    from ocrform.batch.outputs import remove_stale_temps
    from ocrform.batch.progress import Reporter
    from ocrform.batch.tasks import recovered_record, settings_key
    from ocrform.inputs import SUPPORTED_SUFFIXES, TEXT_SUFFIXES
    from ocrform.office import OFFICE_SUFFIXES

    try:
        settings, limits = _convert_settings(args)
        _check_output_folder(args.output)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    files = list(
        _expand_inputs(args.inputs, SUPPORTED_SUFFIXES | TEXT_SUFFIXES | OFFICE_SUFFIXES, args.one_document_per_folder)
    )
    if not files:
        print("error: no input files found", file=sys.stderr)
        return EXIT_USAGE
    tasks = make_tasks(files, args.output)
    remove_stale_temps(args.output)
    reporter = Reporter(len(tasks), quiet=args.quiet, verbose=args.verbose, log_json=args.log_json)
    try:
        with Manifest(args.output) as manifest:
            key = {"settings": settings_key(settings, limits)}
            todo = plan(
                tasks,
                manifest.records(),
                settings.formats,
                settings_key=key["settings"],
                force=args.force,
                retry_failed=args.retry_failed,
            )
            reporter.event("start", inputs=len(tasks), todo=len(todo.todo), output=str(args.output))
            for task in todo.unrecorded:
                manifest.append({**recovered_record(task), **key})
            for task in todo.current:
                reporter.current(task)
            for task, record in todo.failed_before:
                reporter.failed_before(task, record)
            if args.ray is not None:
                from ocrform.batch.ray import run_ray

                # A Ray task holds one CPU of its node.
                settings = replace(settings, threads=1)
                run_ray(
                    todo.todo, settings, manifest, address=args.ray or None, limits=limits, on_record=reporter.record
                )
            else:
                workers, threads = share_cores(args.jobs, len(todo.todo))
                settings = replace(settings, threads=threads)
                run_local(
                    todo.todo, settings, manifest, jobs=workers, limits=limits, on_record=reporter.record, stamp=key
                )
        if "html" in settings.formats:
            _write_report(tasks, args.output, reporter)
        reporter.summary()
    finally:
        reporter.close()
    if reporter.failed == len(tasks):
        return EXIT_ALL_FAILED
    if reporter.failed:
        return EXIT_SOME_FAILED
    return EXIT_PROBLEMS if reporter.with_problems else EXIT_OK


def share_cores(jobs: int, files: int) -> tuple[int, int]:
    """``--jobs`` cores among the files to convert: how many worker processes, and the threads
    each may run (a batch of fewer files than cores gives each file the cores left over)."""
    workers = max(1, min(jobs, files))
    return workers, max(1, jobs // workers)


class UsageError(Exception):
    """An option or the output folder is wrong: said before any input is read."""


# Rendering below this loses the strokes of 9 pt characters; above it a page outgrows memory.
MIN_DPI, MAX_DPI = 50, 1200


def _convert_settings(args: argparse.Namespace) -> tuple[Settings, Limits]:
    from ocrform.batch import Limits, Settings
    from ocrform.cpu import default_jobs
    from ocrform.formats import FORMATS, parse_formats
    from ocrform.words.engines import check_engine

    if not MIN_DPI <= args.dpi <= MAX_DPI:
        raise UsageError(f"--dpi {args.dpi}: expected {MIN_DPI} to {MAX_DPI}")
    engine_options: dict[str, str] = {}
    for item in args.engine_option:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"--engine-option {item!r}: expected KEY=VALUE")
        engine_options[key] = value
    try:
        check_engine(args.engine, engine_options)
    except InputError as exc:
        raise UsageError(str(exc)) from None
    try:
        formats = sorted(parse_formats(args.format), key=FORMATS.index)
    except argparse.ArgumentTypeError as exc:
        raise UsageError(f"--format: {exc}") from None
    if args.jobs is None:
        args.jobs = default_jobs()
    if args.jobs < 1:
        raise UsageError(f"--jobs {args.jobs}: expected 1 or more")
    if args.timeout < 0:
        raise UsageError(f"--timeout {args.timeout:g}: expected seconds, 0 for none")
    memory = _parse_size(args.max_memory)
    settings = Settings(
        engine=args.engine,
        engine_options=tuple(sorted(engine_options.items())),
        dpi=args.dpi,
        formats=tuple(dict.fromkeys(["json", *formats])),
    )
    return settings, Limits(seconds=args.timeout, memory=memory)


def _parse_size(text: str) -> int:
    """``3G``, ``512M``, ``0`` (no limit) → bytes."""
    units = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    number, unit = text.strip().upper().rstrip("IB") or "0", ""
    if number and number[-1] in units:
        number, unit = number[:-1], number[-1]
    try:
        value = float(number) * units[unit]
    except ValueError:
        raise UsageError(f"--max-memory {text!r}: expected a size such as 3G or 512M (0: no limit)") from None
    if value < 0:
        raise UsageError(f"--max-memory {text!r}: expected a size such as 3G or 512M (0: no limit)")
    return int(value)


def _check_output_folder(folder: Path) -> None:
    """The output folder exists (made if need be) and takes a file: found now, not after
    the whole batch has been converted."""
    import tempfile

    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder}: output is not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".ocrform-probe-"):
            pass
    except OSError as exc:
        raise UsageError(f"{folder}: cannot write to the output folder ({exc.strerror or exc})") from None


def _write_report(tasks: list[Task], outdir: Path, reporter: Reporter) -> None:
    """The batch's HTML QA report over every document with a JSON output."""
    from ocrform.canonical import DocumentResult
    from ocrform.report import write_report

    done = []
    for task in tasks:
        try:
            done.append((task.source, DocumentResult.model_validate_json(task.output.read_text("utf-8"))))
        except (OSError, ValueError):
            continue
    path = write_report(done, outdir)
    if not reporter.quiet:
        print(f"report: {path}", file=sys.stderr)


def _cmd_fix_pdf(args: argparse.Namespace) -> int:
    from ocrform.repair.fixpdf import fix_pdf

    try:
        report = fix_pdf(args.input, args.output)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ALL_FAILED
    except Exception as exc:  # a damaged file's last surprise: still one line
        from ocrform.batch.worker import error_line

        print(f"error: {error_line(args.input, exc)}", file=sys.stderr)
        return EXIT_ALL_FAILED
    print(f"{args.input} -> {args.output}: {report}", file=sys.stderr)
    return EXIT_OK


def _expand_inputs(inputs: list[Path], suffixes: set[str], folder_documents: bool = False) -> Iterator[Path]:
    """Files as given (a bad one is reported by the converter); folders searched for known
    types, or each folder one document of page images (``folder_documents``)."""
    for item in inputs:
        if item.is_dir() and folder_documents:
            yield item
        elif item.is_dir():
            yield from sorted(p for p in item.rglob("*") if p.is_file() and _wanted(p, suffixes))
        else:
            yield item


def _wanted(path: Path, suffixes: set[str]) -> bool:
    """A file a folder search takes: a known type, and not a lock file Word and Excel leave
    beside an open document (``~$form.docx``) or a hidden one."""
    return path.suffix.lower() in suffixes and not path.name.startswith(("~$", "."))


def _cmd_validate(args: argparse.Namespace) -> int:
    from ocrform.recheck import InvalidFile, UnreadableFile, recheck_file

    files = [f for item in args.files for f in (sorted(item.glob("*.json")) if item.is_dir() else [item])]
    if not files:
        print("error: no JSON files found", file=sys.stderr)
        return EXIT_USAGE
    status, forms, failed = EXIT_OK, 0, 0
    for path in files:
        try:
            checked = recheck_file(path)
        except UnreadableFile as exc:
            print(f"error: {path}: {exc}", file=sys.stderr)
            status = max(status, EXIT_ALL_FAILED)
            continue
        except InvalidFile as exc:
            print(f"error: {path}: {exc}", file=sys.stderr)
            status = max(status, EXIT_USAGE)
            continue
        forms += len(checked)
        for form in checked:
            name = f" ({' '.join(form.project_name.split())})" if form.project_name else ""
            for check in form.failed:
                failed += 1
                print(f"{path}: form {form.number}{name}: {form.pointer}{check.field}: {check.message}")
                status = max(status, EXIT_SOME_FAILED)
    if not args.quiet:
        s = "s" if len(files) != 1 else ""
        print(f"{len(files)} file{s}, {forms} forms checked: {failed} failed check(s)", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
