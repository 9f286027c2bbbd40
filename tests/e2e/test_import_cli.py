"""`cvsite import` as a researcher meets it: records written, nothing duplicated or clobbered,
every problem listed at once, exit codes, --dry-run, --update and --skip-invalid."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import main
from generator.load import load_site
from generator.validate import PAPER_FIELDS, validate_site

from .test_cli import ENV, LOCATED, snapshot

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import"
SOURCE_LINE = re.compile(r"^(?P<source>.+?):(?P<line>\d+): (?P<key>[^:]+): (?P<field>[\w.]+): (?P<message>.+)$")


def run(site: Path, *args: str, capsys) -> tuple[int, str, str]:
    code = main(["import", "--site", str(site), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def papers(site: Path) -> dict[str, str]:
    return {p.name: p.read_text("utf-8") for p in sorted((site / "content" / "papers").glob("*.md"))}


def built(site: Path):
    """The site's records as `cvsite build` validates them."""
    return {p.source.rsplit("/", 1)[1]: p for p in validate_site(load_site(site)).papers}


def write_bib(tmp_path: Path, text: str, name: str = "refs.bib") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_a_scholar_export_becomes_records_a_build_accepts(make_site, capsys):
    site = make_site()
    code, out, err = run(site, "--category", "CV", str(FIXTURES / "scholar.bib"), capsys=capsys)
    assert code == 0, err
    assert "2 new, 0 merged, 0 already present, 0 skipped" in out
    records = built(site)
    baichuan = records["baichuan-2-open-large-scale-language-models.md"]
    assert baichuan.authors == ("Aiyuan Yang", "Bin Xiao", "Bingning Wang") and baichuan.et_al
    assert baichuan.date.iso() == "2023" and baichuan.category.code == "cs.CV"
    assert baichuan.link("arxiv") == "https://arxiv.org/abs/2309.10305"
    assert baichuan.extra["citation_key"] == "yang2023baichuan"
    survey = next(p for name, p in records.items() if name.startswith("generalized-video"))
    assert survey.date.iso() == "2024-07" and survey.venue == "ACM Computing Surveys"
    assert survey.link("doi") == "https://doi.org/10.1145/3645101"
    text = papers(site)["baichuan-2-open-large-scale-language-models.md"]
    keys = [line.split(":")[0] for line in text.split("---\n")[1].splitlines() if line and line[0].isalpha()]
    assert keys == [k for k in PAPER_FIELDS if k in keys]  # the field table's order, which the README shows
    assert set(keys) == {"title", "authors", "date", "category", "et_al", "venue", "links", "extra"}


def test_titles_yaml_would_misread_come_back_as_text(make_site, tmp_path, capsys):
    site = make_site()
    bib = write_bib(
        tmp_path,
        "".join(
            f"@article{{k{i}, title = {{{t}}}, author = {{A B}}, year = 2020}}\n"
            for i, t in enumerate(["yes", "2024", "A: B", "#hashtag", "- dash", "null", "'quoted'"])
        ),
    )
    assert run(site, "--category", "CV", bib, capsys=capsys)[0] == 0
    assert sorted(p.title for p in built(site).values()) == sorted(["yes", "2024", "A: B", "#hashtag", "- dash", "null", "'quoted'"])


def test_every_problem_is_listed_and_nothing_is_written(make_site, tmp_path, capsys):
    site = make_site()
    before = snapshot(site)
    bib = write_bib(
        tmp_path,
        "@article{good, title = {Good}, author = {A B}, year = 2020}\n"
        "@article{bad, title = {Bad}, author = {A B}, year = 2020, url = {javascript:alert(1)}}\n"
        "@article{nodate, title = {No date}, author = {A B}}\n"
        "@article{macro, title = {M}, author = {A B}, year = 2020, journal = undefined}\n",
    )
    code, _, err = run(site, "--category", "CV", bib, capsys=capsys)
    assert code == 1 and snapshot(site) == before
    lines = err.strip().splitlines()
    located = [SOURCE_LINE.match(line) for line in lines[:-1]]
    assert all(located), lines
    assert [(m["line"], m["key"], m["field"]) for m in located] == [
        ("2", "bad", "links.project"),
        ("3", "nodate", "date"),
        ("4", "macro", "journal"),
    ]
    assert "unsafe URL scheme 'javascript:'" in located[0]["message"]
    assert lines[-1] == "cvsite: 3 problems found; nothing was written"


def test_skip_invalid_writes_the_good_records_and_lists_the_rest(make_site, tmp_path, capsys):
    site = make_site()
    bib = write_bib(
        tmp_path,
        "@article{good, title = {Good}, author = {A B}, year = 2020}\n"
        "@article{bad, title = {Bad}, author = {A B}, year = 2020, url = {javascript:alert(1)}}\n",
    )
    code, out, err = run(site, "--category", "CV", "--skip-invalid", bib, capsys=capsys)
    assert code == 0 and list(papers(site)) == ["good.md"]
    assert "1 new, 0 merged, 0 already present, 1 skipped" in out
    assert re.search(r"^skipped: .*refs\.bib:2: bad: links\.project: unsafe URL scheme", err, re.MULTILINE)


def test_missing_category_names_the_option_and_the_nearest_codes(make_site, tmp_path, capsys):
    site = make_site()
    bib = write_bib(tmp_path, "@article{v, title = {Video anomaly detection with vision transformers}, author = {A B}, year = 2020}")
    code, _, err = run(site, bib, capsys=capsys)
    assert code == 1
    assert "refs.bib:1: v: category: the source gives no category: pass --category CODE (nearest: cs.CV" in err


def test_an_unknown_category_option_is_a_usage_error(make_site, capsys):
    code, _, err = run(make_site(), "--category", "CVV", str(FIXTURES / "scholar.bib"), capsys=capsys)
    assert code == 2 and "--category 'CVV' is not a known category" in err


def test_a_file_of_no_known_format_is_a_usage_error_and_format_forces_one(make_site, tmp_path, capsys):
    site = make_site()
    odd = tmp_path / "notes.txt"
    odd.write_text("nothing here\n")
    code, _, err = run(site, str(odd), capsys=capsys)
    assert code == 2 and "pass --format" in err
    ris = tmp_path / "export.txt"
    ris.write_bytes((FIXTURES / "zotero.ris").read_bytes())
    assert run(site, "--format", "ris", "--category", "CV", str(ris), capsys=capsys)[0] == 0
    assert len(papers(site)) == 2


def test_dry_run_reports_the_same_and_writes_nothing(make_site, capsys):
    site = make_site()
    before = snapshot(site)
    code, dry, _ = run(site, "--dry-run", "--category", "CV", str(FIXTURES / "scholar.bib"), capsys=capsys)
    assert code == 0 and snapshot(site) == before
    assert "2 new, 0 merged, 0 already present, 0 skipped; would write 2 files" in dry
    code, real, _ = run(site, "--category", "CV", str(FIXTURES / "scholar.bib"), capsys=capsys)
    assert [line.replace(" [dry run]", "") for line in dry.splitlines()[:-1]] == real.splitlines()[:-1]


def test_importing_twice_writes_nothing_the_second_time(make_site, capsys):
    site = make_site()
    sources = [str(FIXTURES / n) for n in ("scholar.bib", "biblatex.bib", "zotero.json", "zotero.ris", "arxiv.atom", "openalex-works.json")]
    assert run(site, "--category", "CV", *sources, capsys=capsys)[0] == 0
    first = snapshot(site)
    code, out, _ = run(site, "--category", "CV", *sources, capsys=capsys)
    assert code == 0 and snapshot(site) == first
    assert out.startswith("0 new, 0 merged,") and "wrote 0 files" in out
    code, out, _ = run(site, "--update", "--category", "CV", *sources, capsys=capsys)
    assert code == 0 and snapshot(site) == first and "0 merged" in out


def test_the_same_paper_from_bibtex_and_arxiv_becomes_one_record_with_both_fields(make_site, capsys):
    site = make_site()
    code, _, _ = run(site, str(FIXTURES / "scholar.bib"), str(FIXTURES / "arxiv.atom"), "--category", "CV", capsys=capsys)
    assert code == 0
    records = built(site)
    baichuan = [p for p in records.values() if p.title.startswith("Baichuan")]
    assert len(baichuan) == 1
    paper = baichuan[0]
    assert paper.category.code == "cs.CL"  # from arXiv, not the --category fallback
    assert paper.link("code") == "https://github.com/baichuan-inc/Baichuan2"  # from arXiv
    assert paper.extra["citation_key"] == "yang2023baichuan"  # from BibTeX, the first source
    assert paper.abstract.startswith("Large language models")


OWNER = """\
---
# my survey: keep this comment
title: "Generalized Video Anomaly Event Detection: Systematic Taxonomy and Comparison of Deep Models"
authors: [Yang Liu, Liang Song]   # short on purpose
date: 2024-07
category: CV
venue: CSUR 2024
links:
  code: https://github.com/x/gvaed   # the repo
---
My own abstract.
"""


def test_without_update_an_owners_record_is_never_touched(make_site, capsys):
    site = make_site({"content/papers/gvaed.md": OWNER})
    code, out, _ = run(site, str(FIXTURES / "openalex-works.json"), "--category", "CL", capsys=capsys)
    assert code == 0 and "1 new, 0 merged, 1 already present" in out
    assert papers(site)["gvaed.md"] == OWNER


def test_update_fills_what_is_missing_keeps_comments_and_lists_conflicts(make_site, capsys):
    site = make_site({"content/papers/gvaed.md": OWNER})
    code, out, _ = run(
        site, "--update", str(FIXTURES / "openalex-works.json"), str(FIXTURES / "zotero.ris"), "--category", "CL", capsys=capsys
    )
    assert code == 0
    assert "conflict: content/papers/gvaed.md: venue: kept 'CSUR 2024', source has 'ACM Computing Surveys'" in out
    assert "2 new, 1 merged, 0 already present" in out
    text = papers(site)["gvaed.md"]
    for kept in OWNER.splitlines()[:9]:  # every line the owner wrote, comments and spacing included
        assert kept in text.splitlines()
    assert text.endswith("---\nMy own abstract.\n")
    paper = built(site)["gvaed.md"]
    assert paper.venue == "CSUR 2024" and paper.authors == ("Yang Liu", "Liang Song") and paper.category.code == "cs.CV"
    assert dict(paper.links) == {
        "code": "https://github.com/x/gvaed",
        "arxiv": "https://arxiv.org/abs/2302.05087",
        "doi": "https://doi.org/10.1145/3645101",
        "pdf": "https://example.org/gvaed.pdf",
        "project": "https://dl.acm.org/doi/10.1145/3645101",
    }
    assert paper.citations == 57 and paper.tags == ("video anomaly detection", "survey")
    assert paper.abstract == "My own abstract."


def test_update_of_a_yaml_record_and_of_a_map_written_on_one_line(make_site, capsys):
    site = make_site(
        {
            "content/papers/b.yaml": "# mine\ntitle: Baichuan 2\nauthors: [Aiyuan Yang]\ndate: 2023-09\ncategory: CL\n"
            "links:\n    arxiv: https://arxiv.org/abs/2309.10305v1\n",
            "content/papers/c.md": "---\ntitle: Generalized Video Anomaly Event Detection\nauthors: [Y L]\n"
            "date: 2024\ncategory: CV\nlinks: {doi: 'https://doi.org/10.1145/3645101'}\n---\n",
        }
    )
    code, out, err = run(site, "--update", str(FIXTURES / "openalex-works.json"), capsys=capsys)
    assert code == 0, err
    records = built(site)
    assert records["b.yaml"].abstract == "Large language models (LLMs) perform." and records["b.yaml"].citations == 412
    assert (site / "content/papers/b.yaml").read_text().startswith("# mine\ntitle: Baichuan 2\n")
    assert records["c.md"].citations == 57 and records["c.md"].title == "Generalized Video Anomaly Event Detection"
    assert "content/papers/c.md: links.arxiv: not added, the map is written on one line; add it by hand" in out


def test_slugs_are_stable_suffixed_and_short(make_site, tmp_path, capsys):
    site = make_site({"content/papers/same-title.md": "---\ntitle: Other\nauthors: [A]\ndate: 2001\ncategory: CV\n---\n"})
    long_title = "Very " * 100 + "long"
    bib = write_bib(
        tmp_path,
        f"@article{{a, title = {{Same Title}}, author = {{A B}}, year = 2020}}\n"
        f"@article{{b, title = {{Same title!}}, author = {{A B}}, year = 2021}}\n"
        f"@article{{c, title = {{{long_title}}}, author = {{A B}}, year = 2020}}\n"
        f"@article{{/etc/passwd, title = {{$$}}, author = {{A B}}, year = 2020}}\n",
    )
    assert run(site, "--category", "CV", bib, capsys=capsys)[0] == 0
    names = sorted(papers(site))
    assert "same-title-2.md" in names and "same-title-3.md" in names
    assert all(len(name) <= 64 for name in names)
    assert "etc-passwd.md" in names  # a hostile key only names the file when the title cannot
    assert not Path("/etc/passwd.md").exists()


def test_offline_is_one_line_and_nothing_is_written(make_site, monkeypatch, capsys):
    from generator.importers import fetch
    from generator.importers.fetch import FetchError

    def offline(identifier):
        raise FetchError("cannot reach export.arxiv.org ([Errno -3] Temporary failure in name resolution); are you offline?")

    monkeypatch.setattr(fetch, "fetch", offline)
    site = make_site()
    before = snapshot(site)
    code, _, err = run(site, str(FIXTURES / "scholar.bib"), "arxiv:2309.10305", "--category", "CV", capsys=capsys)
    assert code == 1 and snapshot(site) == before
    assert err.strip().splitlines() == [
        (
            "cvsite: error: cannot reach export.arxiv.org ([Errno -3] Temporary failure "
            "in name resolution); are you offline?; nothing was written"
        )
    ]


def test_identifiers_go_through_the_same_importers(make_site, monkeypatch, capsys):
    from generator.importers import fetch

    monkeypatch.setattr(fetch, "fetch", lambda ident: [(ident, (FIXTURES / "arxiv.atom").read_bytes(), "arxiv-atom")])
    site = make_site()
    code, out, _ = run(site, "arxiv:2309.10305", capsys=capsys)
    assert code == 0 and "new: content/papers/baichuan-2-open-large-scale-language-models.md (from arxiv:2309.10305:10 2309.10305)" in out


def test_a_ten_thousand_entry_file_imports_without_trouble(make_site, tmp_path, capsys):
    site = make_site()
    bib = write_bib(
        tmp_path,
        "".join(f"@article{{k{i}, title = {{Paper number {i}}}, author = {{A B}}, year = {2000 + i % 20}}}\n" for i in range(10_000)),
    )
    code, out, err = run(site, "--dry-run", "--category", "CV", bib, capsys=capsys)
    assert code == 0 and "10000 new" in out and err == ""


def test_the_command_as_a_process_exits_with_the_documented_codes(make_site, tmp_path):
    site = make_site()
    bib = write_bib(tmp_path, "@article{k, title = {T}, author = {A B}}")
    result = subprocess.run(
        [sys.executable, "-m", "generator", "import", "--site", str(site), "--category", "CV", bib],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert LOCATED.match(result.stderr.splitlines()[0].split(": ", 1)[1]) or SOURCE_LINE.match(result.stderr.splitlines()[0])
    result = subprocess.run([sys.executable, "-m", "generator", "import", "--help"], capture_output=True, text=True, env=ENV, check=False)
    assert result.returncode == 0
    for option in ("--site", "--category", "--format", "--dry-run", "--update", "--skip-invalid"):
        assert option in result.stdout


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xfe@\x00a\x00",
        b"@article{k, title = {\xe9t\xe9}, author={A B}, year=2020}",
        b"{" * 5000,
        b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><feed>&a;</feed>",
    ],
)
def test_odd_files_never_give_a_traceback(make_site, tmp_path, data, capsys):
    source = tmp_path / "odd"
    source.write_bytes(data)
    code, _, err = run(make_site(), "--category", "CV", str(source), capsys=capsys)
    assert code in (0, 1, 2) and "Traceback" not in err
