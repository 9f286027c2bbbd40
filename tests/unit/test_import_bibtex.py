"""BibTeX/biblatex import: each mapping rule of the README, and inputs that must not crash."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from generator.importers import bibtex

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "import"


def one(text: str, **_) -> dict:
    entries = bibtex.parse(text.encode("utf-8"), "refs.bib")
    assert len(entries) == 1 and not entries[0].issues, [e.issues for e in entries]
    return entries[0].fields


def issues(text: str | bytes) -> list[tuple[int, str, str, str]]:
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    return [(e.line, e.key, name, message) for e in bibtex.parse(data, "refs.bib") for name, message in e.issues]


@pytest.mark.parametrize(
    "written, shown",
    [
        ("Yang, Aiyuan", "Aiyuan Yang"),
        ("Aiyuan Yang", "Aiyuan Yang"),
        ("Jean de la Fontaine", "Jean de la Fontaine"),
        ("de la Fontaine, Jean", "Jean de la Fontaine"),
        ("Smith, Jr., John", "John Smith Jr."),
        ("{World Health Organization}", "World Health Organization"),
        (r"M{\"u}ller, Hans", "Hans Müller"),
    ],
)
def test_author_names_become_display_names(written, shown):
    assert one(f"@article{{k, author = {{{written}}}, title = {{T}}}}")["authors"] == [shown]


def test_and_others_sets_et_al_and_is_not_an_author():
    fields = one("@article{k, author = {Yang, Aiyuan and Xiao, Bin and others}, title = {T}}")
    assert fields["authors"] == ["Aiyuan Yang", "Bin Xiao"] and fields["et_al"] is True


@pytest.mark.parametrize(
    "date, expected",
    [
        ("year = 2023", "2023"),
        ("year = 2023, month = sep", "2023-09"),
        ("year = {2023}, month = {September}", "2023-09"),
        ("year = 2023, month = 9", "2023-09"),
        ('year = "2023", month = "Sep."', "2023-09"),
        ("date = {2023-09-19}", "2023-09-19"),
        ("date = {2023-09}, year = 2020", "2023-09"),  # biblatex date wins over year
    ],
)
def test_dates_keep_the_precision_of_the_source(date, expected):
    assert one(f"@article{{k, title = {{T}}, {date}}}")["date"] == expected


def test_title_keeps_latex_but_loses_case_protecting_braces():
    fields = one(r"@article{k, title = {The {BERT} \& {\"o} \emph{Friends} at 50\% on $\mathcal{O}(n)$}}")
    assert fields["title"] == r"The BERT & {\"o} \emph{Friends} at 50% on $\mathcal{O}(n)$"


def test_string_macros_concatenation_and_month_macros():
    fields = one(
        '@string{conf = "Proc. of"}\n@inproceedings{k, title = {T}, booktitle = conf # " CVPR " # {2024}, year = 2024, month = dec}'
    )
    assert fields["venue"] == "Proc. of CVPR 2024" and fields["date"] == "2024-12"


def test_crossref_inherits_from_the_proceedings_which_is_not_itself_a_paper():
    entries = bibtex.parse((FIXTURES / "biblatex.bib").read_bytes(), "biblatex.bib")
    keys = [e.key for e in entries]
    assert "cvpr2024" not in keys
    crcl = next(e for e in entries if e.key == "zhu2024crcl").fields
    assert crcl["venue"] == "IEEE/CVF Conference on Computer Vision and Pattern Recognition 2024"
    assert crcl["category"] == "cs.CV"
    assert crcl["links"]["arxiv"] == "https://arxiv.org/abs/2405.01234"  # without the version
    assert crcl["links"]["code"] == "https://github.com/example/crcl"
    assert crcl["tags"] == ["anomaly detection", "causality"]
    assert crcl["extra"] == {"citation_key": "zhu2024crcl", "entry_type": "inproceedings"}


def test_links_from_doi_pdf_and_a_gitlab_url_in_a_note():
    muller = next(e for e in bibtex.parse((FIXTURES / "biblatex.bib").read_bytes(), "b") if e.key == "muller2022").fields
    assert muller["links"] == {
        "pdf": "https://example.org/paper.pdf",
        "doi": "https://doi.org/10.1000/xyz123",
        "code": "https://gitlab.com/example/proj",
    }
    assert muller["venue"] == "Journal of Examples" and muller["et_al"] is True


def test_google_scholar_arxiv_preprint_gets_its_arxiv_link():
    yang = bibtex.parse((FIXTURES / "scholar.bib").read_bytes(), "scholar.bib")[0].fields
    assert yang["links"] == {"arxiv": "https://arxiv.org/abs/2309.10305"}


@pytest.mark.parametrize(
    "link, kind",
    [
        ("doi = {10.48550/arXiv.2309.10305}", "arxiv"),
        ("url = {https://arxiv.org/abs/2309.10305v3}", "arxiv"),
        ("eprint = {2309.10305v2}, archivePrefix = {arXiv}", "arxiv"),
        ("url = {https://example.org/p.pdf}", "pdf"),
        ("url = {https://github.com/a/b}", "code"),
        ("howpublished = {\\url{https://github.com/a/b}}", "code"),
        ("url = {https://example.org/project}", "project"),
    ],
)
def test_link_kinds(link, kind):
    links = one(f"@misc{{k, title = {{T}}, {link}}}")["links"]
    assert list(links) == [kind]
    if kind == "arxiv":
        assert links["arxiv"] == "https://arxiv.org/abs/2309.10305"


def test_an_undefined_macro_is_a_located_problem():
    assert issues("\n@article{k, title = {T}, journal = nosuchmacro}") == [
        (
            2,
            "k",
            "journal",
            "undefined @string macro 'nosuchmacro': define it with @string{nosuchmacro = \"...\"} or put the value in braces",
        )
    ]


def test_unbalanced_braces_are_reported_at_the_entry_and_the_rest_still_reads():
    found = issues("@article{a, title = {Open, year = 2020}\n@article{b, title = {Fine}}\n")
    assert [(line, key, name) for line, key, name, _ in found] == [(1, "a", "entry")]
    assert "braces" in found[0][3]


def test_an_entry_cut_off_at_the_end_of_the_file():
    found = issues("@article{ok, title = {A}}\n@article{cut, title = {Never closed\n")
    assert [(line, key, name) for line, key, name, _ in found] == [(2, "cut", "entry")]


def test_crossref_cycles_and_missing_targets():
    found = issues("@article{c, crossref = {d}}\n@article{d, crossref = {c}}\n@article{e, crossref = {nowhere}}")
    assert [(line, key, name) for line, key, name, _ in found] == [(1, "c", "crossref"), (2, "d", "crossref"), (3, "e", "crossref")]
    assert "cycle: c -> d -> c" in found[0][3]


def test_duplicate_keys_name_the_first_line():
    found = issues("@article{k, title = {A}}\n@article{k, title = {B}}")
    assert found == [(2, "k", "key", "duplicate citation key (first on line 1); give each entry its own key")]


@pytest.mark.parametrize("encoding", ["latin-1", "utf-16", "utf-8-sig"])
def test_latin1_and_utf16_files(encoding):
    data = "@article{k, author = {Müller, Hans}, title = {Über alles}}".encode(encoding)
    fields = bibtex.parse(data, "refs.bib")[0].fields
    assert fields["authors"] == ["Hans Müller"] and fields["title"] == "Über alles"


def test_utf16_without_bom():
    data = codecs.encode("@article{k, title = {Ça va}}", "utf-16-le")
    assert bibtex.parse(data, "refs.bib")[0].fields["title"] == "Ça va"


@pytest.mark.parametrize(
    "junk",
    [
        b"",
        b"\x00\xff\xfe garbage",
        b"@",
        b"@article{",
        b"}}}}{{{{",
        b"@string{x = }",
        b"@article{k, title = {T}, month = {Smarch}, year = 2020}",
        b"@article{k, year = {20x0}}",
        b"@comment{unclosed",
    ],
)
def test_hostile_inputs_never_raise(junk):
    for entry in bibtex.parse(junk, "refs.bib"):
        assert entry.line >= 1


def test_hostile_keys_are_kept_as_data():
    fields = one("@article{../../x, title = {T}}")
    assert fields["extra"]["citation_key"] == "../../x"


def test_url_beside_a_code_field_is_the_project_page():
    links = one("@misc{k, title = {T}, code = {https://github.com/a/b}, url = {https://github.com/a/site}}")["links"]
    assert links == {"code": "https://github.com/a/b", "project": "https://github.com/a/site"}
