"""Command line: the only module that prints results and chooses exit codes.

Exit status: 0 ok, 1 content errors, 2 usage errors, 3 reading or writing files failed.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from typing import NoReturn

from . import __version__
from .errors import ContentError, UsageError
from .load import CONFIG_FILE
from .parallel import WorkerDied

EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_IO = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse exits 2 itself; keep the message to one line
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"cvsite: error: {message}\n")


def _site_root(value: str | None) -> Path:
    root = Path(value or ".").expanduser().resolve()
    if not (root / CONFIG_FILE).is_file() and not (root / "content").is_dir():
        raise UsageError(f"{root} is not a cvsite site (no {CONFIG_FILE} or content/); use --site DIR or 'cvsite new DIR'")
    return root


def _base_url_arg(value: str) -> str:
    """A full URL, as site.yaml's base_url, or a path as serve takes it ('/repo/', '/repo', 'repo/')."""
    from .schema import FieldIssue
    from .validate import base_url as _base_url

    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", value) or not value.strip():  # a scheme: only http(s) will do
        try:
            return _base_url(value)
        except FieldIssue as issue:
            raise argparse.ArgumentTypeError(str(issue)) from None
    from .server import normalise_prefix

    if not value.startswith("/") and "." in value.split("/")[0]:  # user.github.io/repo: a host without a scheme
        raise argparse.ArgumentTypeError(f"expected a full URL such as https://{value.strip('/')}/ or a path such as /repo/, got {value!r}")
    path = normalise_prefix(value)
    if not re.fullmatch(r"[A-Za-z0-9._~!$&'()*+,;=:@%/-]+", path):
        raise argparse.ArgumentTypeError(
            f"expected a full URL such as https://user.github.io/repo/ or a path such as /repo/, got {value!r}"
        )
    return path


def _add_site_options(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--site", metavar="DIR", help="the site folder holding site.yaml and content/ (default: the current folder)")
    cmd.add_argument("--drafts", action="store_true", help="include papers marked draft: true")
    cmd.add_argument("--strict", action="store_true", help="treat warnings as errors: any warning fails the build (for CI)")


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="cvsite", description="Build a researcher CV site from YAML/Markdown paper records.")
    parser.add_argument("--version", action="version", version=f"cvsite {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    build = commands.add_parser(
        "build",
        help="build the site into its output folder",
        description="Validate every record and build the static site. A failed build leaves the previous output untouched.",
    )
    _add_site_options(build)
    build.add_argument("--output", metavar="DIR", help="where to write the site (default: SITE/output)")
    build.add_argument(
        "--base-url",
        metavar="URL",
        type=_base_url_arg,
        help="where the site is published (overrides site.yaml): the full URL, e.g. https://user.github.io/repo/, "
        "or only its path, e.g. /repo/, which leaves out what needs the full URL (feeds, sitemap, canonical URLs)",
    )
    build.add_argument(
        "--no-cache",
        action="store_true",
        help="build from nothing: neither read nor write the build cache in SITE/.cvsite-cache/ "
        "nor your compiled templates in ~/.cache/cvsite/",
    )
    build.set_defaults(run=_run_build)

    serve = commands.add_parser(
        "serve",
        help="preview the site locally, rebuilding and reloading on every save",
        description="Build the site into a private folder, serve it on http://127.0.0.1:PORT/, "
        "rebuild when a source changes and reload open pages. Content errors are shown "
        "in the terminal and over the page; the last good site stays served.",
    )
    _add_site_options(serve)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    serve.add_argument(
        "--allowed-hosts",
        metavar="NAMES",
        help="host names the preview answers to besides localhost and --host, comma-separated "
        "(e.g. mybox.local); 'all' turns the check off. IP addresses are always answered",
    )
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000; 0 picks a free one)")
    serve.add_argument(
        "--base-url",
        metavar="PATH",
        default="/",
        help="serve under this path as GitHub Pages serves a project site, e.g. /repo/ (default: /)",
    )
    serve.add_argument("--no-reload", action="store_true", help="serve only: no file watching, no live reload")
    serve.add_argument("--poll", action="store_true", help="poll for changes (for network or container mounts)")
    serve.add_argument(
        "--debounce",
        type=float,
        default=0.01,
        metavar="SECONDS",
        help="wait this long after the last change before rebuilding (default: 0.01; a burst of changes waits 0.2)",
    )
    serve.set_defaults(run=_run_serve)

    new = commands.add_parser(
        "new",
        help="create a new site, ready to build and publish on GitHub Pages",
        description="Create a site with a profile, two example papers and a GitHub Pages workflow.",
    )
    new.add_argument("directory", metavar="DIR", help="the folder to create (must not exist, or be empty)")
    new.add_argument(
        "--requirement",
        metavar="SPEC",
        help="the pip requirement the site's workflow installs cvsite with, e.g. 'cvsite==0.2.0' "
        "(default: exactly this cvsite, when GitHub can install it)",
    )
    new.set_defaults(run=_run_new)

    imp = commands.add_parser(
        "import",
        help="add papers from BibTeX, CSL-JSON, RIS, arXiv, ORCID or OpenAlex, and CV entries from JSON Resume",
        description="Turn a publication list into content/papers/*.md records, and a JSON Resume file "
        "(resume.json) into the sections of content/cv.yaml. Papers the site already has (same DOI, "
        "arXiv id, or title and year) and CV entries it already has are not imported again; "
        "nothing is written if any entry has a problem (unless --skip-invalid).",
    )
    imp.add_argument(
        "sources",
        nargs="+",
        metavar="SOURCE",
        help="a .bib, .json (CSL-JSON, ORCID, OpenAlex, JSON Resume), .ris or arXiv .xml file, or arxiv:ID, doi:10.…, orcid:ID",
    )
    imp.add_argument("--site", metavar="DIR", help="the site folder (default: the current folder)")
    imp.add_argument("--category", metavar="CODE", default="", help="category of entries whose source gives none, e.g. CV or stat.ML")
    imp.add_argument(
        "--format",
        choices=("bibtex", "csl-json", "ris", "arxiv-atom", "orcid", "openalex", "json-resume"),
        help="read files as this format instead of detecting it",
    )
    imp.add_argument("--dry-run", action="store_true", help="report what would happen; write nothing")
    imp.add_argument("--update", action="store_true", help="fill fields existing records lack (never overwrites what is there)")
    imp.add_argument("--skip-invalid", action="store_true", help="write the good records and list the rest, instead of writing nothing")
    imp.set_defaults(run=_run_import)
    return parser


def _run_build(args) -> int:
    from .pipeline import BuildOptions, build

    root = _site_root(args.site)
    output = Path(args.output).expanduser() if args.output else None
    options = BuildOptions(root, output, args.base_url, args.drafts, strict=args.strict, cache=not args.no_cache)

    def waiting() -> None:
        print(f"cvsite: another build is writing into {options.output_dir}; waiting for it to finish", file=sys.stderr, flush=True)

    result = build(options, waiting)
    for note in (result.note or "").splitlines():
        print(f"cvsite: note: {note}", file=sys.stderr)
    _print_problems(result.warnings)
    print(
        f"Built {result.papers} papers into {result.pages} pages ({result.files} files) "
        f"in {result.output} in {result.seconds:.2f} s{_warning_count(result.warnings)}"
    )
    if args.base_url and args.base_url.startswith("/"):
        print(
            f"Note: --base-url {args.base_url} is only a path, so the Atom feeds, sitemap.xml, robots.txt and canonical "
            f"URLs were left out: they need the full URL, e.g. --base-url https://you.github.io{args.base_url}"
        )
    return EXIT_OK


def _print_problems(problems) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)
    sys.stderr.flush()


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


def _warning_count(warnings) -> str:
    return f"; {_plural(len(warnings), 'warning')} (see above)" if warnings else ""


def problem_summary(exc: ContentError) -> str:
    """'3 problems found (1 error, 2 warnings)', saying when --strict counted a warning as an error."""
    everything = exc.everything
    warnings = sum(p.warning for p in everything)
    errors = len(everything) - warnings
    summary = f"{_plural(len(everything), 'problem')} found"
    if warnings:
        strict = "; --strict counts warnings as errors" if any(p.warning for p in exc.problems) else ""
        summary += f" ({_plural(errors, 'error')}, {_plural(warnings, 'warning')}{strict})"
    return summary


def _stop_on_term(serving: int):
    """SIGTERM stops cvsite serve as Ctrl-C does (KeyboardInterrupt, so it cleans up). A process
    forked from it (a build's worker pool, which stops its workers with SIGTERM) exits quietly
    instead of printing a KeyboardInterrupt traceback."""

    def handler(signum, frame):
        if os.getpid() != serving:
            os._exit(128 + signum)
        raise KeyboardInterrupt

    return handler


def _run_serve(args) -> int:
    import signal
    import threading
    import time

    from .pipeline import BuildOptions
    from .server import (
        Preview,
        PreviewServer,
        allowed_hosts,
        normalise_prefix,
        preview_options,
    )
    from .watch import Debouncer, start_watching

    root = _site_root(args.site)
    prefix = normalise_prefix(args.base_url)
    signal.signal(signal.SIGTERM, _stop_on_term(os.getpid()))  # stop as on Ctrl-C, cleaning up
    # A request arriving while an edit renders its listings gets the interpreter within 0.5 ms
    # each time it waits for it (5 ms by default: a request waits several times, a whole page late).
    sys.setswitchinterval(0.0005)
    stop = threading.Event()  # never set: Ctrl-C and SIGTERM end the waits below with KeyboardInterrupt
    server = observer = None
    preview = Preview(BuildOptions(root, drafts=args.drafts, strict=args.strict))
    preview.live = not args.no_reload
    try:
        try:
            server = PreviewServer((args.host, args.port), preview, prefix, allowed=allowed_hosts(args.host, args.allowed_hosts))
        except OSError as exc:
            raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
        port = server.server_address[1]
        preview.options = preview_options(preview.options, args.host, port, prefix)
        debouncer = Debouncer(args.debounce)
        if preview.live:  # watching starts before the first build, so no early save is missed
            observer = start_watching(root, debouncer, [root / "output"], poll=args.poll)
        failed = not preview.rebuild()
        _print_problems(preview.errors if failed else preview.warnings)
        from .cv_pdf import INSTALL_HINT, available

        if not available():
            print(f"cvsite: note: {INSTALL_HINT}", file=sys.stderr)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        shown = f"[{args.host}]" if ":" in args.host else args.host
        print(f"Serving {root} at http://{shown}:{port}{prefix} (Ctrl-C to stop)", flush=True)
        if args.host not in ("127.0.0.1", "localhost", "::1"):
            print(f"Note: listening on {args.host}, so other machines can reach this preview.", flush=True)
        if preview.live:
            while not stop.is_set():
                batch = debouncer.wait(stop)
                if not batch:
                    continue
                started = time.perf_counter()
                warned = preview.warnings
                if preview.rebuild(batch):
                    if failed:
                        print("Errors fixed: the site builds again.", flush=True)
                    if preview.warnings != warned or failed:
                        _print_problems(preview.warnings)
                    print(
                        f"Rebuilt after {_plural(len(batch), 'change')} in {time.perf_counter() - started:.2f} s "
                        f"({preview.rendered} pages rendered){_warning_count(preview.warnings)}",
                        flush=True,
                    )
                    failed = False
                else:
                    _print_problems(preview.errors)
                    failed = True
        else:
            stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        if observer is not None:
            observer.stop()
        if server is not None:
            server.stop()
            print("Stopped.", flush=True)
        preview.close()
    return EXIT_OK


def _run_new(args) -> int:
    from .scaffold import (
        create_site,
        cvsite_requirement,
        explicit_requirement,
        requirements_text,
    )

    target = Path(args.directory)
    requirement = explicit_requirement(args.requirement) if args.requirement is not None else cvsite_requirement()
    files = create_site(target, requirement)
    print(
        f"Created a new site in {target} ({len(files)} files). Next:\n"
        f"  cd {target}\n  cvsite serve      # preview it at http://127.0.0.1:8000/ as you edit\n"
        "  edit site.yaml and content/, push to GitHub, and enable Pages (Source: GitHub Actions)"
    )
    if requirement.problem:  # the site's first Pages run would fail on this line: say so now
        line = requirements_text(requirement)[1]
        print(
            f"{target / 'requirements.txt'}:{line}: warning: {requirement.problem}; the GitHub Pages workflow "
            f"installs cvsite from this line, so edit it (e.g. cvsite @ git+https://github.com/you/cvsite@COMMIT) "
            f"or run cvsite new again with --requirement SPEC",
            file=sys.stderr,
        )
    return EXIT_OK


def _run_import(args) -> int:
    from .importers.fetch import FetchError
    from .importers.run import ImportOptions, run_import

    options = ImportOptions(
        _site_root(args.site), tuple(args.sources), args.category, args.format or "", args.dry_run, args.update, args.skip_invalid
    )
    try:
        report = run_import(options)
    except FetchError as exc:
        print(f"cvsite: error: {exc}; nothing was written", file=sys.stderr)
        return EXIT_CONTENT
    verb = "would write" if args.dry_run else "wrote"
    for path, entry in report.new:
        print(f"new: {path} (from {entry.source}:{entry.line} {entry.key}){'' if report.written else ' [dry run]'}")
    for path in report.merged:
        print(f"merged: {path} (fields it lacked were filled in){'' if report.written else ' [dry run]'}")
    dry = "" if report.written else " [dry run]"
    for item in report.cv_added:
        print(f"new: content/cv.yaml: {item.section}: {_cv_title(item.fields)} (from {item.source}:{item.line} {item.key}){dry}")
    for label in report.cv_merged:
        print(f"merged: content/cv.yaml: {label} (fields it lacked were filled in){dry}")
    for line in report.conflicts:
        print(f"conflict: {line}")
    for note in report.notes:
        print(f"note: {note}")
    for problem in report.skipped:
        print(f"skipped: {problem}", file=sys.stderr)
    new, merged = len(report.new) + len(report.cv_added), len(report.merged) + len(report.cv_merged)
    present = len(report.present) + len(report.cv_present)
    print(f"{new} new, {merged} merged, {present} already present, {len(report.skipped)} skipped; {verb} {len(report.files())} files")
    return EXIT_OK


def _cv_title(entry: dict) -> str:
    """A CV entry named in a line: its first two fields, e.g. 'PhD, University of Kyoto'."""
    return ", ".join(str(v) for v in list(entry.values())[:2] if not isinstance(v, (dict, list)))


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        return args.run(args)
    except ContentError as exc:
        _print_problems(exc.everything)
        print(f"cvsite: {problem_summary(exc)}; nothing was written", file=sys.stderr)
        return EXIT_CONTENT
    except UsageError as exc:
        print(f"cvsite: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except OSError as exc:  # a full disk, a read-only or vanished folder: the site is left as it was
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"cvsite: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_IO
    except WorkerDied as exc:  # the site is left as it was, as after a full disk
        print(f"cvsite: error: {exc}; nothing was written", file=sys.stderr)
        return EXIT_IO


def run() -> NoReturn:
    """The `cvsite` command: main, then exit without tearing down what the run made. A build at
    10,000 papers holds hundreds of thousands of cached results, and Python freeing them one by
    one at exit took a tenth of a second after the work was done (mypy ends the same way).
    Nothing of cvsite's waits for exit: every file is written and renamed, every worker joined,
    before main returns; only the standard streams are left to flush."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader gone (cvsite build | head): nothing more to say
            pass
    os._exit(code)
