"""Round trip: a site's own papers.bib and papers.json, imported into an empty site, give back
records equal to the originals in every field the format carries.

BibTeX carries everything but affiliation, score, citations, featured and draft. CSL-JSON has no
standard place for the arXiv category or for "et al.", and one URL: so the CSL import runs with
`--category cs.AI` and compares every field except category and et_al, and of the links the
arXiv id and DOI (plus the PDF or project page a paper without arXiv id exports as its URL).
`extra` is compared for the keys cvsite writes back (citation key, entry type) only where the
original had them. Sites: the example site, and generated sites full of the hazards of BibTeX
(LaTeX specials, accents, name particles, suffixes, corporate names, partial dates, every link kind).
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
import yaml

from generator.cli import main
from generator.load import load_site
from generator.pipeline import BuildOptions, build
from generator.validate import validate_site

REPO = Path(__file__).resolve().parents[2]
PROFILE = "---\nname: Round Trip\n---\nBio.\n"

FIRST = ["Aiyuan", "Bin", "José", "Zoë", "Jean", "Anne Marie", "Łukasz", "Jürgen"]
LAST = ["Yang", "Xiao", "Müller", "de la Fontaine", "van der Berg", "O'Neil", "Smith Jr.", "Ødegaard"]
TITLE_WORDS = [
    "Learning",
    "Robust",
    "Video",
    "Anomaly",
    "Graphs",
    "R&D",
    "100%",
    "C#",
    "snake_case",
    "\\emph{Fast}",
    "$\\alpha$-Nets",
    '{\\"o}ber',
    "Über",
    "\\textbf{M}odel",
    "Co-Training:",
    "LLMs",
]
ABSTRACT_WORDS = [
    "We",
    "propose",
    "a",
    "method",
    "that",
    "improves",
    "accuracy",
    "by",
    "73%",
    "on",
    "$x^2$",
    "R&D",
    "tasks",
    "with",
    "\\emph{new}",
    "ideas",
    "naïve",
    "#1",
    "file_name",
    "results.",
]
CATEGORIES = ["CV", "CL", "LG", "stat.ML", "eess.IV", "cs.AI"]


def _links(rng: random.Random, i: int) -> dict:
    kinds = {
        "arxiv": f"https://arxiv.org/abs/23{rng.randint(1, 12):02d}.{10000 + i:05d}",
        "doi": f"https://doi.org/10.1145/{3600000 + i}",
        "pdf": f"https://example.org/papers/{i}.pdf",
        "code": f"https://github.com/example/repo{i}",
        "project": f"https://example.org/project/{i}",
    }
    chosen = rng.sample(sorted(kinds), rng.randint(0, len(kinds)))
    return {k: kinds[k] for k in chosen}


def generated_site(root: Path, seed: int, papers: int = 40) -> Path:
    rng = random.Random(seed)
    (root / "content" / "papers").mkdir(parents=True)
    (root / "site.yaml").write_text("title: Generated\n", encoding="utf-8")
    (root / "content" / "profile.md").write_text(PROFILE, encoding="utf-8")
    for i in range(papers):
        record = {
            "title": " ".join(rng.sample(TITLE_WORDS, rng.randint(2, 7))) + f" {i}",
            "authors": [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(rng.randint(1, 5))]
            + (["World Health Organization"] if rng.random() < 0.1 else []),
            "date": rng.choice(
                [f"{2000 + i % 25}", f"{2000 + i % 25}-{1 + i % 12:02d}", f"{2000 + i % 25}-{1 + i % 12:02d}-{1 + i % 28:02d}"]
            ),
            "category": rng.choice(CATEGORIES),
        }
        if rng.random() < 0.4:
            record["et_al"] = True
        if rng.random() < 0.6:
            record["venue"] = rng.choice(["CVPR 2024", "Journal of R&D", "NeurIPS", "ACM Computing Surveys"])
        links = _links(rng, i)
        if links:
            record["links"] = links
        if rng.random() < 0.5:
            record["tags"] = rng.sample(["vision", "language", "anomaly detection", "graphs"], rng.randint(1, 3))
        abstract = " ".join(rng.choice(ABSTRACT_WORDS) for _ in range(rng.randint(0, 40)))
        text = "---\n" + yaml.safe_dump(record, allow_unicode=True, sort_keys=False) + "---\n" + abstract + "\n"
        (root / "content" / "papers" / f"p{i:03d}.md").write_text(text, encoding="utf-8")
    return root


def example_site(root: Path) -> Path:
    root.mkdir(parents=True)
    shutil.copy(REPO / "site.yaml", root / "site.yaml")
    shutil.copytree(REPO / "content", root / "content")
    return root


def empty_copy(site: Path, root: Path) -> Path:
    (root / "content" / "papers").mkdir(parents=True)
    shutil.copy(site / "site.yaml", root / "site.yaml")
    shutil.copy(site / "content" / "profile.md", root / "content" / "profile.md")
    return root


def papers_of(site: Path) -> list:
    return list(validate_site(load_site(site)).papers)


def identity(paper) -> tuple:
    return (paper.title, paper.date.year)


def imported(site: Path, tmp: Path, export: str, *options: str) -> tuple[list, list]:
    out = tmp / "output"
    build(BuildOptions(site, out))
    target = empty_copy(site, tmp / "empty")
    code = main(["import", "--site", str(target), *options, str(out / export)])
    assert code == 0
    originals, back = papers_of(site), papers_of(target)
    assert len(back) == len(originals)
    return sorted(originals, key=identity), sorted(back, key=identity)


BIBTEX_LINKS = ("arxiv", "doi", "pdf", "code", "project")


def bibtex_view(paper) -> dict:
    return {
        "title": paper.title,
        "authors": paper.authors,
        "et_al": paper.et_al,
        "date": paper.date,
        "category": paper.category,
        "venue": paper.venue,
        "tags": paper.tags,
        "abstract": paper.abstract,
        "links": {k: v for k, v in paper.links if k in BIBTEX_LINKS},
    }


def csl_view(paper) -> dict:
    links = dict(paper.links)
    carried = {k: links[k] for k in ("arxiv", "doi") if k in links}
    if "arxiv" not in links:  # CSL's one URL: the PDF, else the project page
        extra = "pdf" if "pdf" in links else "project" if "project" in links else ""
        if extra:
            carried[extra] = links[extra]
    return {
        "title": paper.title,
        "authors": paper.authors,
        "date": paper.date,
        "venue": paper.venue,
        "tags": paper.tags,
        "abstract": paper.abstract,
        "links": carried,
    }


SITES = [pytest.param(example_site, id="example")] + [
    pytest.param(lambda root, seed=seed: generated_site(root, seed), id=f"generated-{seed}") for seed in (1, 2, 3)
]


@pytest.mark.parametrize("make", SITES)
def test_papers_bib_imports_back_to_the_same_records(make, tmp_path):
    site = make(tmp_path / "site")
    originals, back = imported(site, tmp_path, "papers.bib")
    for original, copy in zip(originals, back):
        assert bibtex_view(copy) == bibtex_view(original), original.source


@pytest.mark.parametrize("make", SITES)
def test_papers_json_imports_back_to_the_same_records(make, tmp_path):
    site = make(tmp_path / "site")
    originals, back = imported(site, tmp_path, "papers.json", "--category", "cs.AI")
    for original, copy in zip(originals, back):
        assert csl_view(copy) == csl_view(original), original.source
