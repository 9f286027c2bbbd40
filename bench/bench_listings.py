"""Benchmark: how big and how fast the listing pages of large sites are.

    python bench/bench_listings.py [--papers 1000 10000] [--themes default,classic] [--runs 3] [--reports DIR]

Builds synthetic sites (bench_build.make_site) in each theme, serves each without compression and
prints, for the home page, the largest category's first page and the newest year's first page: the
page's bytes, its DOM elements (html5lib) and Lighthouse's four scores (mobile preset), when
node_modules/.bin/lighthouse is installed (npm ci --ignore-scripts). The performance score is a
simulated timing that moves with the machine's load: --runs N scores each page N times and prints
the median, with every run beside it; the first lines give the date, the machine and its load.
--reports DIR keeps each Lighthouse JSON report to see what a score is made of.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from datetime import datetime, timezone
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import html5lib

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from bench_build import make_site

from generator.pipeline import BuildOptions, build

LIGHTHOUSE = HERE.parent / "node_modules" / ".bin" / "lighthouse"
CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking "
    "--disable-component-update --disable-sync"
)


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def elements(file: Path) -> int:
    tree = html5lib.parse(file.read_bytes(), treebuilder="lxml", namespaceHTMLElements=False)
    return sum(1 for e in tree.iter() if isinstance(e.tag, str))


def lighthouse(url: str, profile: str) -> dict | None:
    """Lighthouse's JSON report of one page (mobile preset), or None when it failed."""
    result = subprocess.run(
        [str(LIGHTHOUSE), url, "--output=json", "--quiet", f"--chrome-flags={CHROME_FLAGS} --user-data-dir={profile}"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, "CHROME_PATH": os.environ.get("CVSITE_CHROMIUM", "/usr/bin/chromium")},
    )
    if result.returncode != 0:
        return None
    report: dict = json.loads(result.stdout)
    return None if report.get("runtimeError") else report


def scores(url: str, profile: str, runs: int, reports: Path | None, name: str) -> str:
    """The four scores (performance as the median of the runs, then every run's performance)."""
    if not LIGHTHOUSE.exists():
        return "(Lighthouse not installed)"
    runs_scores: list[list[int]] = []
    for run in range(runs):
        report = lighthouse(url, profile)
        if report is None:
            return "(Lighthouse failed)"
        if reports is not None:
            (reports / f"{name}-{run + 1}.json").write_text(json.dumps(report))
        categories = report["categories"]
        runs_scores.append([round(categories[k]["score"] * 100) for k in ("performance", "accessibility", "best-practices", "seo")])
    performance = [run[0] for run in runs_scores]
    # The other three are not timings and every run should agree: print the lowest of each.
    others = "".join(f" {min(run[k] for run in runs_scores):>4}" for k in (1, 2, 3))
    each = "  (" + " ".join(map(str, performance)) + ")" if runs > 1 else ""
    return f"{round(statistics.median(performance)):>4}{others}{each}"


def machine() -> str:
    model = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), ""
    )
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores {model}".rstrip()


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--papers", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--themes", default="default,classic", help="comma-separated built-in or site themes")
    parser.add_argument("--runs", type=int, default=1, help="Lighthouse runs per page (the median is printed)")
    parser.add_argument("--reports", type=Path, help="keep each Lighthouse JSON report in this folder")
    args = parser.parse_args()
    themes = [theme.strip() for theme in args.themes.split(",") if theme.strip()]
    if args.reports:
        args.reports.mkdir(parents=True, exist_ok=True)
    print(f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {machine()}, load average {load()}")
    print(f"{'theme':<8} {'site':>13}  {'page':<18} {'bytes':>8} {'elements':>8}  {'perf':>4} {'a11y':>4} {'b-p':>4} {'seo':>4}")
    for count in args.papers:
        tmp = Path(tempfile.mkdtemp(prefix="cvsite-bench-"))
        try:
            make_site(tmp / "site", count)
            site_yaml = tmp / "site" / "site.yaml"
            settings = site_yaml.read_text()
            for theme in themes:
                site_yaml.write_text(f"{settings}theme: {theme}\n")
                out = tmp / f"out-{theme}"
                build(BuildOptions(tmp / "site", out))
                server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(out)))
                threading.Thread(target=server.serve_forever, daemon=True).start()
                category = max((p for p in (out / "categories").iterdir() if p.is_dir()), key=lambda p: len(list(p.rglob("index.html"))))
                year = max(p for p in (out / "years").iterdir() if p.is_dir())
                for label, folder in (("home", out), (f"category {category.name}", category), (f"year {year.name}", year)):
                    file = folder / "index.html"
                    path = folder.relative_to(out).as_posix()
                    url = f"http://127.0.0.1:{server.server_address[1]}/" + ("" if path == "." else f"{path}/")
                    name = f"{theme}-{count}-{label.replace(' ', '-')}"
                    result = scores(url, str(tmp / "profile"), args.runs, args.reports, name)
                    print(f"{theme:<8} {count:>7} papers  {label:<18} {file.stat().st_size:>8,} {elements(file):>8,}  {result}", flush=True)
                server.shutdown()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"load average at the end {load()}")


if __name__ == "__main__":
    main()
