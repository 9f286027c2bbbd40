"""Command line: the only module that prints results and chooses exit codes.

Exit status: 0 ok, 1 content errors, 2 usage errors.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
from .errors import ContentError, UsageError
from .load import CONFIG_FILE
from .validate import base_url as _base_url
from .schema import FieldIssue

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


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
    try:
        return _base_url(value)
    except FieldIssue as issue:
        raise argparse.ArgumentTypeError(str(issue)) from None


def _add_site_options(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--site", metavar="DIR", help="the site folder holding site.yaml and content/ (default: the current folder)")
    cmd.add_argument("--drafts", action="store_true", help="include papers marked draft: true")


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="cvsite", description="Build a researcher CV site from YAML/Markdown paper records.")
    parser.add_argument("--version", action="version", version=f"cvsite {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    build = commands.add_parser("build", help="build the site into its output folder",
                                description="Validate every record and build the static site. A failed build leaves the previous output untouched.")
    _add_site_options(build)
    build.add_argument("--output", metavar="DIR", help="where to write the site (default: SITE/output)")
    build.add_argument("--base-url", metavar="URL", type=_base_url_arg,
                       help="absolute URL the site is published at, e.g. https://user.github.io/repo/ (overrides site.yaml)")
    build.set_defaults(run=_run_build)

    new = commands.add_parser("new", help="create a new site, ready to build and publish on GitHub Pages",
                              description="Create a site with a profile, two example papers and a GitHub Pages workflow.")
    new.add_argument("directory", metavar="DIR", help="the folder to create (must not exist, or be empty)")
    new.set_defaults(run=_run_new)
    return parser


def _run_build(args) -> int:
    from .pipeline import BuildOptions, build

    root = _site_root(args.site)
    output = Path(args.output).expanduser() if args.output else None
    result = build(BuildOptions(root, output, args.base_url, args.drafts))
    print(f"Built {result.papers} papers into {result.pages} pages ({result.files} files) "
          f"in {result.output} in {result.seconds:.2f} s")
    return EXIT_OK


def _run_new(args) -> int:
    from .scaffold import create_site

    target = Path(args.directory)
    files = create_site(target)
    print(f"Created a new site in {target} ({len(files)} files). Next:\n"
          f"  cd {target}\n  cvsite build      # then open output/index.html\n"
          "  edit site.yaml and content/, push to GitHub, and enable Pages (Source: GitHub Actions)")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        return args.run(args)
    except ContentError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        count = len(exc.problems)
        print(f"cvsite: {count} problem{'s' * (count != 1)} found; nothing was written", file=sys.stderr)
        return EXIT_CONTENT
    except UsageError as exc:
        print(f"cvsite: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except OSError as exc:
        print(f"cvsite: error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return EXIT_USAGE
