"""Benchmark: how big and how fast the listing pages of large sites are.

    python bench/bench_listings.py [--papers 1000 10000]

Builds synthetic sites (bench_build.make_site), serves each without compression and prints, for
the home page, the largest category's first page and the newest year's first page: the page's
bytes, its DOM elements (html5lib) and Lighthouse's four scores (mobile preset), when
node_modules/.bin/lighthouse is installed (npm ci --ignore-scripts).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
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


def scores(url: str, profile: str) -> str:
    if not LIGHTHOUSE.exists():
        return "(Lighthouse not installed)"
    result = subprocess.run(
        [str(LIGHTHOUSE), url, "--output=json", "--quiet", f"--chrome-flags={CHROME_FLAGS} --user-data-dir={profile}"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, "CHROME_PATH": os.environ.get("CVSITE_CHROMIUM", "/usr/bin/chromium")},
    )
    if result.returncode != 0:
        return "(Lighthouse failed)"
    categories = json.loads(result.stdout)["categories"]
    return " ".join(f"{round(categories[k]['score'] * 100):>3}" for k in ("performance", "accessibility", "best-practices", "seo"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--papers", type=int, nargs="+", default=[1000, 10000])
    args = parser.parse_args()
    print(f"{'site':>13}  {'page':<26} {'bytes':>8} {'elements':>8}  perf a11y  b-p  seo")
    for count in args.papers:
        tmp = Path(tempfile.mkdtemp(prefix="cvsite-bench-"))
        try:
            make_site(tmp / "site", count)
            out = tmp / "out"
            build(BuildOptions(tmp / "site", out))
            server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(out)))
            threading.Thread(target=server.serve_forever, daemon=True).start()
            category = max((p for p in (out / "categories").iterdir() if p.is_dir()), key=lambda p: len(list(p.rglob("index.html"))))
            year = max(p for p in (out / "years").iterdir() if p.is_dir())
            for label, folder in (("home", out), (f"category {category.name}", category), (f"year {year.name}", year)):
                file = folder / "index.html"
                url = f"http://127.0.0.1:{server.server_address[1]}/{folder.relative_to(out).as_posix()}/".replace("//", "/").replace(
                    ":/", "://"
                )
                print(
                    f"{count:>7} papers  {label:<26} {file.stat().st_size:>8,} {elements(file):>8,}  {scores(url, str(tmp / 'profile'))}",
                    flush=True,
                )
            server.shutdown()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
