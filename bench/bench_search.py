"""Benchmark: how fast /search/ answers a keystroke on a large site, on a mid-range phone profile.

    python bench/bench_search.py [--papers 10000] [--output DIR] [--throttle 4] [--rounds 3]

Generates a researcher site of --papers papers with bench/gen_content.py (titles, authors and
abstracts like real ones), builds it (or reuses --output when it already holds a build), serves it
over HTTP without compression, and opens /search/ in Chromium (/usr/bin/chromium, or
$CVSITE_CHROMIUM) as a phone: a 390 px wide viewport, touch, and the CPU slowed 4 times through
the DevTools protocol (`Emulation.setCPUThrottlingRate`, what Lighthouse's mobile preset uses).
The network is the local one, unthrottled.

Each query is typed one key at a time into a fresh page (empty cache), waiting for each key's
answer before the next. Script in the page marks the keydown (a capturing listener that runs
before the page's own) and, through a MutationObserver, the first change of the results after it
(the list replaced, or the status announcing the count); the first task after the next animation
frame runs once they are painted. Playwright compiles its own helper script in the page before the
first key, so that its cost (~30 ms with the CPU slowed) is not counted in a keystroke. Printed: the
first keystroke that searches (it includes fetching and parsing the index files it needs),
separately, and the median and the slowest of the later keystrokes; the bytes of search data
fetched; and that nothing was fetched when the page loaded (focusing the field fetches the newest
result lines, before the first keystroke).
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
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

CHROMIUM = os.environ.get("CVSITE_CHROMIUM", "/usr/bin/chromium")
QUERIES = ("video anomaly", "segmentation", "gaussian splatting", "language model", "graph neural", "reinforcement")

# Installed before the page's own script: times each keydown and the answer the status announces.
PROBE = r"""
window.__bench = {keys: [], answers: []};
addEventListener("keydown", function () { __bench.keys.push(performance.now()); }, true);
new MutationObserver(function () {
  var status = document.querySelector(".search-status");
  if (!status || !/found/.test(status.textContent)) return;
  var key = __bench.keys.length;
  if (__bench.answers.length && __bench.answers[__bench.answers.length - 1].key === key) return;
  var pressed = __bench.keys[key - 1];
  var fetched = performance.getEntriesByType("resource").filter(function (e) {
    return /\/search\/.*\.json$/.test(e.name) && e.startTime >= pressed;
  }).map(function (e) { return e.responseEnd; });
  var answer = {key: key, dom: performance.now(), text: status.textContent, fetched: Math.max.apply(null, [pressed].concat(fetched)),
                shown: document.querySelectorAll(".search-results li").length};
  __bench.answers.push(answer);
  // the frame that shows the results, then the first task after its paint
  requestAnimationFrame(function () { setTimeout(function () { answer.painted = performance.now(); }, 0); });
}).observe(document, {subtree: true, childList: true, characterData: true});
"""


SEARCH_FILES = """performance.getEntriesByType("resource").filter(e => /\\/search\\/.*\\.json$/.test(e.name))
  .map(e => [e.name, e.encodedBodySize])"""


def serve(folder: Path) -> tuple[subprocess.Popen, str]:
    """A static HTTP server in a process of its own, so the browser's driver never holds it up."""
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert server.stdout is not None
    line = server.stdout.readline()  # "Serving HTTP on 127.0.0.1 port 41234 (http://127.0.0.1:41234/) ..."
    return server, line.split("(", 1)[1].split(")", 1)[0]


def built_site(papers: int, output: Path | None, scratch: Path) -> Path:
    """A built site of `papers` papers: output when it already holds one, else generated and built."""
    out = output or scratch / "out"
    if (out / "search" / "facets.json").is_file():
        return out
    from generator.pipeline import BuildOptions, build

    source = scratch / "content"
    subprocess.run(
        [sys.executable, str(HERE / "gen_content.py"), "--n", str(papers), "--out", str(source), "--formats", "cvsite"], check=True
    )
    started = time.perf_counter()
    build(BuildOptions(source / "cvsite", out, cache=False))
    print(f"built {papers} papers in {time.perf_counter() - started:.0f} s", flush=True)
    return out


def type_query(browser, url: str, query: str, throttle: float) -> dict:
    """Type query into a fresh phone-sized page; the answer of each keystroke that searches."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=3, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
        page.add_init_script(PROBE)
        page.goto(url + "search/")
        page.wait_for_load_state("networkidle")
        # Playwright compiles its own helper script in the page the first time it waits on a condition
        # (~30 ms with the CPU throttled): done now, it is not counted in the first keystroke
        page.wait_for_function("true")
        before = page.evaluate(SEARCH_FILES)
        field = page.locator("#search-q")
        field.focus()
        for n, char in enumerate(query, start=1):
            page.keyboard.press(char)
            searchable = any(len(w) > 1 for w in query[:n].split())
            if searchable:
                page.wait_for_function(f"__bench.answers.length && __bench.answers[__bench.answers.length - 1].key === {n}")
                page.wait_for_function("__bench.answers[__bench.answers.length - 1].painted !== undefined")
            else:
                page.evaluate("new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)))")
        probe = page.evaluate("__bench")
        times = [
            {
                "key": a["key"],
                "dom": a["dom"] - probe["keys"][a["key"] - 1],
                "painted": a["painted"] - probe["keys"][a["key"] - 1],
                "network": a["fetched"] - probe["keys"][a["key"] - 1],
                "text": a["text"],
            }
            for a in probe["answers"]
        ]
        page.wait_for_function("/found/.test(document.querySelector('.search-status').textContent)")
        final = page.locator(".search-status").inner_text()
        fetched = page.evaluate(SEARCH_FILES)
        return {"before": before, "times": times, "bytes": sum(size for _, size in fetched), "files": len(fetched), "status": final}
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--papers", type=int, default=10000)
    parser.add_argument("--output", type=Path, help="a build folder to reuse (built there when empty)")
    parser.add_argument("--throttle", type=float, default=4.0, help="CPU slowdown (4: Lighthouse's mobile preset)")
    parser.add_argument("--rounds", type=int, default=3, help="times each query is typed")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    scratch = Path(tempfile.mkdtemp(prefix="cvsite-search-"))
    try:
        out = built_site(args.papers, args.output, scratch)
        count = json.loads((out / "search" / "facets.json").read_text("utf-8"))["count"]
        script = out / "assets" / "site.js"
        server, url = serve(out)
        load = os.getloadavg()
        print(
            f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {count:,} papers; {platform.processor() or platform.machine()}, "
            f"{os.cpu_count()} cores, load {load[0]:.1f}; CPU throttled {args.throttle:g}x, 390 px viewport, local network",
            flush=True,
        )
        print(f"site.js: {script.stat().st_size:,} bytes ({len(__import__('gzip').compress(script.read_bytes(), 9)):,} gzipped)")
        first, later, fetched_before, data, waiting = [], [], [], [], []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
            for _ in range(args.rounds):
                for query in QUERIES:
                    result = type_query(browser, url, query, args.throttle)
                    fetched_before += result["before"]
                    data.append(result["bytes"])
                    painted = [t["painted"] for t in result["times"]]
                    first.append(painted[0])
                    waiting.append(result["times"][0]["network"])
                    later += painted[1:]
                    print(
                        f"  {query!r:<22} first {painted[0]:6.1f} ms ({result['times'][0]['network']:.0f} ms until its data arrived), later median {statistics.median(painted[1:]):6.1f} ms, "
                        f"{result['files']} files / {result['bytes']:,} bytes of search data; {result['status']}",
                        flush=True,
                    )
            browser.close()
        server.terminate()
        server.wait()
        print(
            f"first keystroke that searches: median {statistics.median(first):.1f} ms, slowest {max(first):.1f} ms ({len(first)} queries); "
            f"its search data had arrived after a median {statistics.median(waiting):.1f} ms"
        )
        print(f"later keystrokes: median {statistics.median(later):.1f} ms, slowest {max(later):.1f} ms ({len(later)} keystrokes)")
        print(
            f"search data per query: median {statistics.median(data):,.0f} bytes; fetched when the page loaded: {len(fetched_before)} files"
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
