"""Benchmark: build a synthetic site of N papers and report where the time goes.

    python bench/bench_build.py --papers 10000

Speed targets live here, not in timed tests: a full build of 10,000 papers in the time
Hugo takes for a comparable site (a few seconds), and a rebuild after editing one paper in
well under a second.
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

from generator.load import load_site  # noqa: E402
from generator.memo import Memo  # noqa: E402
from generator.model import build_model  # noqa: E402
from generator.pipeline import BuildOptions, build, render_site  # noqa: E402
from generator.validate import validate_site  # noqa: E402

CATEGORIES = ["CV", "CL", "LG", "DC", "AI", "RO", "stat.ML", "eess.IV"]
WORDS = (
    "model learning neural network robust adaptive video anomaly detection language "
    "diffusion graph sparse efficient federated transformer representation"
).split()


def make_site(root: Path, papers: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    (root / "content" / "papers").mkdir(parents=True)
    (root / "site.yaml").write_text("title: Bench\nbase_url: https://example.org/cv/\n")
    (root / "content" / "profile.md").write_text("---\nname: Bench Author\n---\nBio with *emphasis*.\n")
    for i in range(papers):
        title = " ".join(rng.choice(WORDS) for _ in range(8)).capitalize()
        abstract = " ".join(rng.choice(WORDS) for _ in range(150)) + r" with $x^2$ and \textbf{M}odel."
        year = 2000 + i % 26
        (root / "content" / "papers" / f"p{i:05d}.md").write_text(
            f"---\ntitle: '{title} {i}'\nauthors: [Bench Author, A. Other, B. Third]\net_al: true\n"
            f"date: {year}-{1 + i % 12:02d}-{1 + i % 28:02d}\ncategory: {rng.choice(CATEGORIES)}\n"
            f"links:\n  code: https://github.com/x/p{i}\n  arxiv: https://arxiv.org/abs/2301.{i:05d}\n---\n{abstract}\n"
        )


def timed(label: str, fn):
    started = time.perf_counter()
    result = fn()
    print(f"  {label:<28} {time.perf_counter() - started:7.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--papers", type=int, default=10000)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="cvsite-bench-"))
    try:
        root = tmp / "site"
        make_site(root, args.papers)
        print(f"{args.papers} papers")
        raw = timed("load", lambda: load_site(root))
        valid = timed("validate", lambda: validate_site(raw))
        timed("model (Markdown, LaTeX)", lambda: build_model(valid))
        opts = BuildOptions(root, tmp / "out")
        timed("render (all stages)", lambda: render_site(opts))
        result = timed("full build incl. write", lambda: build(opts))
        print(f"  -> {result.pages} pages, {result.files} files")
        cache = Memo()
        first = timed("render, filling a memo", lambda: render_site(opts, cache))
        on_disk = dict(first.digests)
        paper = root / "content" / "papers" / "p00042.md"
        paper.write_text(paper.read_text().replace("title: '", "title: 'Edited "))
        again = timed("re-render after one edit", lambda: render_site(opts, cache, lambda rel, sha: on_disk.get(rel) == sha))
        print(f"  -> {again.rendered} pages re-rendered")
        timed("full build after one edit (cached)", lambda: build(opts))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
