"""Benchmark: import a synthetic BibTeX file of N entries into an empty site.

    python bench/bench_import.py --entries 10000

Target: under 10 s for 10,000 entries, both `--dry-run` and a real import (a benchmark, not a
timed test). Each entry has a title with LaTeX, four authors, a month macro, a venue, an arXiv
eprint, a DOI, keywords and an abstract.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import WORDS  # the same synthetic vocabulary as the build benchmark

NAMES = ("Yang, Aiyuan", "Xiao, Bin", "Wang, Bingning", "Liu, Jing", "Song, Liang", "van der Berg, Jan")


def make_bib(path: Path, entries: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    out = ['@string{cvpr = "Proceedings of CVPR"}\n']
    for i in range(entries):
        title = " ".join(rng.choice(WORDS) for _ in range(8)).capitalize()
        authors = " and ".join(rng.sample(NAMES, 4))
        abstract = " ".join(rng.choice(WORDS) for _ in range(120))
        out.append(
            f"@inproceedings{{key{i},\n  title = {{{{{title}}} with $x^{{2}}$ number {i}}},\n  author = {{{authors} and others}},\n"
            f'  booktitle = cvpr # " {2000 + i % 26}",\n  year = {2000 + i % 26},\n  month = {rng.choice(["jan", "sep", "dec"])},\n'
            f"  eprint = {{{2301 + i // 100000}.{i % 100000:05d}}},\n  archivePrefix = {{arXiv}},\n  primaryClass = {{cs.CV}},\n"
            f"  doi = {{10.1234/bench.{i}}},\n  keywords = {{vision, learning}},\n  abstract = {{{abstract}}},\n}}\n\n"
        )
    path.write_text("".join(out), encoding="utf-8")


def timed(label: str, argv: list[str]) -> None:
    """Wall-clock and CPU time: on a busy machine the CPU time is the figure that compares."""
    started, cpu = time.perf_counter(), time.process_time()
    code = main(argv)
    print(
        f"  {label:<28} {time.perf_counter() - started:7.2f} s wall, {time.process_time() - cpu:6.2f} s CPU (exit {code})", file=sys.stderr
    )


def main_bench() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=10000)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="cvsite-bench-import-"))
    try:
        site = tmp / "site"
        (site / "content" / "papers").mkdir(parents=True)
        (site / "site.yaml").write_text("title: Bench\n")
        (site / "content" / "profile.md").write_text("---\nname: Bench Author\n---\nBio.\n")
        bib = tmp / "papers.bib"
        make_bib(bib, args.entries)
        print(f"{args.entries} BibTeX entries ({bib.stat().st_size / 1e6:.1f} MB)", file=sys.stderr)
        import contextlib
        import io

        with contextlib.redirect_stdout(io.StringIO()):
            timed("import --dry-run", ["import", "--site", str(site), "--dry-run", str(bib)])
            timed("import (writes records)", ["import", "--site", str(site), str(bib)])
            timed("import again (all present)", ["import", "--site", str(site), str(bib)])
        print(f"  -> {len(list((site / 'content' / 'papers').iterdir()))} record files", file=sys.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main_bench()
