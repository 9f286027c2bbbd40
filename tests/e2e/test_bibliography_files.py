"""The bibliography files of a built site, read by the tools that read them elsewhere:
bibtexparser for BibTeX, rispy for RIS, the CSL schema for CSL-JSON; and the pages that link them."""

from __future__ import annotations

import json
from pathlib import Path

import bibtexparser
import jsonschema
import pytest
import rispy
import yaml

from e2e.helpers import html_pages, page_url, parse_strict, resolve
from e2e.rich_site import RICH_PAPER, write_rich_site
from generator.pipeline import BuildOptions, build

REPO = Path(__file__).resolve().parents[2]
CSL_SCHEMA = json.loads((REPO / "tests/fixtures/csl/csl-data.json").read_text("utf-8"))
PAPERS = sorted((REPO / "content/papers").glob("*.md"))


def bib_entries(file: Path):
    library = bibtexparser.parse_string(file.read_text("utf-8"))
    assert not library.failed_blocks, [b.error for b in library.failed_blocks]
    return library.entries


def test_every_paper_is_in_each_bibliography_file_with_one_key(example_site):
    entries = bib_entries(example_site / "papers.bib")
    csl = json.loads((example_site / "papers.json").read_text("utf-8"))
    ris = rispy.loads((example_site / "papers.ris").read_text("utf-8"))
    assert len(entries) == len(csl) == len(ris) == len(PAPERS)
    keys = [e.key for e in entries]
    assert len(set(keys)) == len(keys)
    assert [item["id"] for item in csl] == keys == [record["id"] for record in ris]
    jsonschema.validate(csl, CSL_SCHEMA)
    titles = {yaml.safe_load(p.read_text("utf-8").split("---\n")[1])["title"] for p in PAPERS}
    assert {e.fields_dict["title"].value for e in entries} == titles == {item["title"] for item in csl}
    assert "yang2023baichuan" in keys


def test_each_paper_has_its_own_bib_file_equal_to_its_entry_in_papers_bib(example_site):
    whole = {e.key: e for e in bib_entries(example_site / "papers.bib")}
    for record in PAPERS:
        slug = record.stem
        (entry,) = bib_entries(example_site / f"papers/{slug}/{slug}.bib")
        assert entry.fields_dict.keys() == whole[entry.key].fields_dict.keys()
        assert entry.raw == whole[entry.key].raw


def test_the_cite_block_shows_the_papers_bibtex_and_links_its_file(example_site):
    slug = "baichuan-2-open-large-scale-language-models"
    page = example_site / f"papers/{slug}/index.html"
    tree = parse_strict(page)
    (section,) = [s for s in tree.iter("section") if s.attrib.get("class") == "cite"]
    (details,) = section.iter("details")
    (pre,) = details.iter("pre")
    bib = (example_site / f"papers/{slug}/{slug}.bib").read_text("utf-8")
    assert "".join(pre.itertext()) == bib and bib.startswith("@misc{yang2023baichuan,")
    (download,) = [a for a in section.iter("a") if "download" in a.attrib]
    assert resolve(example_site, page_url(example_site, page), download.attrib["href"]) == example_site / f"papers/{slug}/{slug}.bib"
    assert not list(section.iter("button"))  # the copy button is made by the script, for browsers that run it


def test_every_listing_entry_links_its_bibtex_and_its_links_in_a_fixed_order(example_site):
    for file in html_pages(example_site):
        tree = parse_strict(file)
        for article in (a for a in tree.iter("article") if a.attrib.get("class") == "paper"):
            (row,) = [u for u in article.iter("p") if u.attrib.get("class") == "entry-links"]
            labels = ["".join(a.itertext()) for a in row.iter("a")]
            assert labels[-1] == "BibTeX"
            assert labels[:-1] == sorted(labels[:-1], key=["PDF", "arXiv", "Code", "DOI"].index)
            target = resolve(example_site, page_url(example_site, file), list(row.iter("a"))[-1].attrib["href"])
            assert target.is_file() and target.suffix == ".bib"


def test_the_home_page_head_links_the_bibliography_files(example_site):
    tree = parse_strict(example_site / "index.html")
    found = {link.attrib["type"]: link.attrib["href"] for link in tree.iter("link") if link.attrib.get("rel") == "alternate"}
    assert found["application/x-bibtex"] == "papers.bib"
    assert found["application/vnd.citationstyles.csl+json"] == "papers.json"
    assert found["application/x-research-info-systems"] == "papers.ris"
    for href in ("papers.bib", "papers.json", "papers.ris"):
        assert (example_site / href).is_file()


def test_a_rich_record_round_trips_its_links_venue_and_tags(tmp_path):
    out = tmp_path / "out"
    build(BuildOptions(write_rich_site(tmp_path / "site"), out, base_url="https://user.github.io/repo/"))
    slug = RICH_PAPER.strip("/").split("/")[-1]
    (entry,) = bib_entries(out / f"papers/{slug}/{slug}.bib")
    fields = {k: f.value for k, f in entry.fields_dict.items()}
    assert entry.entry_type == "article" and fields["journal"] == "CVPR 2024 (Oral)"
    assert fields["eprint"] == "2406.00001" and fields["doi"] == "10.1000/xyz123"
    assert fields["pdf"] == "https://example.org/rich.pdf" and fields["url"] == "https://example.org/rich"
    assert fields["keywords"] == "anomaly detection, video, self-supervised learning"
    assert "\\_" in fields["abstract"] and "3.5\\%" in fields["abstract"] and "$D_\\alpha(p \\| q)$" in fields["abstract"]
    (item,) = [i for i in json.loads((out / "papers.json").read_text("utf-8")) if i["id"] == entry.key]
    assert item["container-title"] == "CVPR 2024 (Oral)" and item["DOI"] == "10.1000/xyz123"
    jsonschema.validate(json.loads((out / "papers.json").read_text("utf-8")), CSL_SCHEMA)
    head = parse_strict(out / RICH_PAPER / "index.html")
    tags = {(m.attrib["name"], m.attrib["content"]) for m in head.iter("meta") if m.attrib.get("name", "").startswith("citation_")}
    assert ("citation_pdf_url", "https://example.org/rich.pdf") in tags and ("citation_doi", "10.1000/xyz123") in tags
    assert ("citation_conference_title", "CVPR 2024 (Oral)") in tags


def test_bibliography_files_are_byte_identical_across_builds(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    build(BuildOptions(REPO, first))
    build(BuildOptions(REPO, second))
    for name in ("papers.bib", "papers.json", "papers.ris"):
        assert (first / name).read_bytes() == (second / name).read_bytes()


def test_auto_metrics_are_stated_on_the_home_page(make_site, tmp_path):
    root = make_site(
        {
            "content/profile.md": "---\nname: Ada Lovelace\nmetrics:\n  h_index: auto\n  citations: auto\n---\nBio.\n",
            "content/papers/a.md": "---\ntitle: A\nauthors: [Ada Lovelace]\ndate: 2020\ncategory: CV\ncitations: 5\n---\n",
            "content/papers/b.md": "---\ntitle: B\nauthors: [Ada Lovelace]\ndate: 2021\ncategory: CV\ncitations: 1200\n---\n",
        }
    )
    build(BuildOptions(root, tmp_path / "out"))
    tree = parse_strict(tmp_path / "out/index.html")
    (metrics,) = [dl for dl in tree.iter("dl") if dl.attrib.get("class") == "metrics"]
    shown = {"".join(dt.itertext()): "".join(dd.itertext()) for dt, dd in zip(metrics.iter("dt"), metrics.iter("dd"))}
    assert shown["h-index"] == "2" and shown["Citations"] == "1,205"
    (note,) = [p for p in tree.iter("p") if p.attrib.get("class") == "metrics-note"]
    assert " ".join("".join(note.itertext()).split()) == "h-index and citations computed from the citation counts of 2 papers on this site."


@pytest.mark.parametrize("small", [False, True])
@pytest.mark.parametrize("kept", [1, 2, None])
def test_files_written_piece_by_piece_are_each_papers_entry_joined(example_copy, tmp_path, monkeypatch, kept, small):
    # the build writes the files of every paper's text in pieces of a few papers each, joined
    # into runs of bytes as they are written, fresh and in place after an edit: each is every
    # paper's entry joined as one string, and a JSON array. small: pieces of two papers and runs
    # of 100 bytes, so that the example's papers span many of both
    from generator import joined, write
    from generator.pipeline import render_site

    if small:
        monkeypatch.setattr(joined, "PIECE", 2)
        monkeypatch.setattr(write, "RUN", 100)
    for paper in sorted((example_copy / "content/papers").glob("*.md"))[kept:] if kept is not None else ():
        paper.unlink()
    out = tmp_path / "out"
    build(BuildOptions(example_copy, out))
    papers = sorted((example_copy / "content/papers").glob("*.md"))
    if papers:  # an edit: the files are written again, beside their places, in place
        papers[0].write_text(papers[0].read_text("utf-8").replace("title: ", "title: Ünïcode ", 1), "utf-8")
        build(BuildOptions(example_copy, out))
    model = render_site(BuildOptions(example_copy, out, cache=False)).model
    exports = [model.exports[e.paper.slug] for e in model.entries]
    assert len(exports) == len(papers)
    assert (out / "papers.bib").read_bytes() == "\n".join(e.bibtex for e in exports).encode("utf-8")
    assert (out / "papers.ris").read_bytes() == "\n".join(e.ris for e in exports).encode("utf-8")
    csl = (out / "papers.json").read_bytes()
    assert csl == (("[\n" + ",\n".join(e.csl for e in exports) + "\n]\n") if exports else "[]\n").encode("utf-8")
    assert json.loads(csl) == [json.loads(e.csl) for e in exports]
    if papers:
        assert "Ünïcode" in (out / "papers.bib").read_text("utf-8")


def test_each_model_lists_its_own_papers_in_the_bibliography_files(make_site):
    # a new model (the preview after an edit, another build in one process) lists its own papers,
    # and nothing keeps a model once it is gone
    import gc
    import weakref

    from generator import render
    from generator.load import load_site
    from generator.model import build_model
    from generator.validate import validate_site

    paper = "---\ntitle: {t}\nauthors: [A]\ndate: {d}\ncategory: CV\n---\n"
    root = make_site({"content/papers/a.md": paper.format(t="Alpha", d="2020"), "content/papers/b.md": paper.format(t="Beta", d="2021")})

    def bibtex(model) -> str:
        (page,) = [p for p in model.pages if p.kind == "bibtex"]
        return render.render_page(page, model, None).decode("utf-8")  # type: ignore[arg-type]  # no template needed

    first = build_model(validate_site(load_site(root)))
    assert len(bib_entries_of(bibtex(first))) == 2
    (root / "content/papers/c.md").write_text(paper.format(t="Gamma", d="2022"), encoding="utf-8")
    second = build_model(validate_site(load_site(root)))
    text = bibtex(second)
    assert len(bib_entries_of(text)) == 3 and text.index("Gamma") < text.index("Beta") < text.index("Alpha")  # newest first
    assert "Gamma" not in bibtex(first)
    gone = weakref.ref(first)
    del first, second
    gc.collect()
    assert gone() is None


def bib_entries_of(text: str):
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    return library.entries


def test_after_an_edit_the_files_copy_the_unchanged_papers_and_equal_a_clean_build(example_copy, tmp_path, monkeypatch):
    # a cached build after one paper's edit makes that paper's text in each file and copies the
    # others from the files as last written; a file changed on disk since lends nothing
    import os

    from generator import joined

    asked: list[int] = []
    made = joined.JoinedFile._pieces

    def counted(self, old, places):
        text = self.text
        self.text = lambda i: asked.append(i) or text(i)
        return made(self, old, places)

    monkeypatch.setattr(joined.JoinedFile, "_pieces", counted)
    out = tmp_path / "out"
    build(BuildOptions(example_copy, out))
    papers = sorted((example_copy / "content/papers").glob("*.md"))
    assert len(asked) == 3 * len(papers)
    for n, touch in enumerate((False, True)):
        papers[n].write_text(papers[n].read_text("utf-8").replace("title: ", "title: Edited ", 1), "utf-8")
        if touch:  # the RIS file's time moved: it may not be what the last build wrote
            os.utime(out / "papers.ris", ns=(0, 0))
        asked.clear()
        build(BuildOptions(example_copy, out))
        assert len(asked) == (len(papers) + 2 if touch else 3)
        clean = tmp_path / f"clean{n}"
        build(BuildOptions(example_copy, clean, cache=False))
        for name in ("papers.bib", "papers.json", "papers.ris"):
            assert (out / name).read_bytes() == (clean / name).read_bytes()
