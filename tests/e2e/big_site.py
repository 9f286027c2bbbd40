"""A synthetic site of many papers, shaped like a prolific researcher's: long author lists with the
owner anywhere in them, every link kind, venues, math in some titles and abstracts, several
categories and years. Tests build it to check that listing pages stay small at any size."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

OWNER = "Liang Song"
CATEGORIES = ["CV", "CL", "LG", "AI", "RO", "stat.ML", "eess.IV", "DC"]
WORDS = [
    "model",
    "learning",
    "neural",
    "network",
    "robust",
    "adaptive",
    "video",
    "anomaly",
    "detection",
    "language",
    "diffusion",
    "graph",
    "sparse",
    "efficient",
    "federated",
    "transformer",
    "representation",
]
NAMES = [
    "Wei Zhang",
    "Ana Pereira",
    "John Smith",
    "Mei Chen",
    "Omar Haddad",
    "Sara Rossi",
    "Kenji Sato",
    "Lena Müller",
    "Priya Nair",
    "Tom Brown",
    "Yuki Tanaka",
    "Ivan Petrov",
    "Grace Kim",
    "Luis Ortega",
]


def write_big_site(root: Path, papers: int, years: int = 6, seed: int = 1) -> Path:
    """A site of `papers` papers spread over `years` years (newest 2025), deterministic for a seed.

    Paper i is older than paper i - 1 (distinct dates while papers <= days in the years)."""
    rng = random.Random(seed)
    folder = root / "content" / "papers"
    folder.mkdir(parents=True)
    (root / "site.yaml").write_text("title: Liang Song\nbase_url: https://example.org/cv/\n", encoding="utf-8")
    (root / "content" / "profile.md").write_text(
        f"---\nname: {OWNER}\nheadline: Professor\nmetrics:\n  h_index: 71\n  citations: 18600\n---\nBio with *emphasis*.\n",
        encoding="utf-8",
    )
    for i in range(papers):
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 12))).capitalize()
        title = f"{words} in $O(n \\log n)$ {i}" if i % 7 == 0 else f"{words} {i}"
        authors = rng.sample(NAMES, rng.randint(2, 12))
        authors.insert(rng.randint(0, len(authors)), OWNER)
        abstract = " ".join(rng.choice(WORDS) for _ in range(120)) + r" with $\sum_i x_i^2 \in \mathbb{R}$."
        day = date(2025, 12, 31) - timedelta(days=i * years * 365 // papers)
        year = day.year
        (folder / f"p{i:05d}.md").write_text(
            f"---\ntitle: '{title}'\nauthors: [{', '.join(authors)}]\n"
            f"date: {day.isoformat()}\ncategory: {rng.choice(CATEGORIES)}\n"
            f"venue: CVPR {year}\nscore: {rng.randint(10, 99) / 10}\n"
            f"links:\n  pdf: https://arxiv.org/pdf/2301.{i:05d}\n  arxiv: https://arxiv.org/abs/2301.{i:05d}\n"
            f"  code: https://github.com/x/p{i}\n  doi: https://doi.org/10.1000/{i}\n  project: https://example.org/p{i}/\n"
            f"  video: https://example.org/v{i}\n  slides: https://example.org/s{i}.pdf\n---\n{abstract}\n",
            encoding="utf-8",
        )
    return root
