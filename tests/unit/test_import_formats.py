"""CSL-JSON, RIS, arXiv Atom, ORCID and OpenAlex import, and detecting which one a file is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.importers import arxiv_atom, csl_json, openalex, orcid, ris
from generator.importers.detect import detect

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "import"


def read(parser, name: str):
    return parser.parse((FIXTURES / name).read_bytes(), name)


@pytest.mark.parametrize(
    "name, fmt",
    [
        ("scholar.bib", "bibtex"),
        ("biblatex.bib", "bibtex"),
        ("zotero.json", "csl-json"),
        ("zotero.ris", "ris"),
        ("arxiv.atom", "arxiv-atom"),
        ("orcid-works.json", "orcid"),
        ("orcid-work.json", "orcid"),
        ("openalex-works.json", "openalex"),
    ],
)
def test_format_is_detected_from_content(name, fmt):
    assert detect((FIXTURES / name).read_bytes()) == fmt


def test_unknown_content_is_not_guessed():
    assert detect(b"just some text\n") is None


def test_csl_json_as_zotero_exports_it():
    baichuan, nsvad = read(csl_json, "zotero.json")
    assert baichuan.fields["date"] == "2023-09-19"
    assert baichuan.fields["links"] == {"arxiv": "https://arxiv.org/abs/2309.10305"}  # the arXiv DOI is the arXiv paper
    assert baichuan.fields["tags"] == ["Computer Science - Computation and Language", "LLM"]
    assert "citation_key" not in baichuan.fields["extra"]  # a Zotero item URI is not a citation key
    assert nsvad.fields["authors"] == ["Jing Liu", "Jean de la Fontaine", "World Health Organization"]
    assert nsvad.fields["date"] == "2024-05"
    assert nsvad.fields["venue"] == "Proceedings of the Web Conference"
    assert nsvad.fields["links"] == {"pdf": "https://example.org/nsvad.pdf", "doi": "https://doi.org/10.1145/3712345"}
    assert nsvad.fields["extra"] == {"citation_key": "song2024", "entry_type": "inproceedings"}
    assert (baichuan.line, nsvad.line) == (1, 2)  # JSON entries are located by position


def test_csl_json_problems_are_located():
    broken = csl_json.parse(b'[{"title": "x",}]', "z.json")
    assert broken[0].issues[0][0] == "file" and "line 1" in broken[0].issues[0][1]
    odd = csl_json.parse(json.dumps([{"id": "a", "title": "T", "issued": {"date-parts": [["x"]]}}, 7]).encode(), "z.json")
    assert [(e.line, e.issues[0][0]) for e in odd] == [(1, "date"), (2, "item")]


def test_ris_as_zotero_and_scholar_export_it():
    survey, conference = read(ris, "zotero.ris")
    assert survey.line == 1 and conference.line == 18
    assert survey.fields["authors"] == ["Yang Liu", "Dingkang Yang", "John Smith Jr."]
    assert survey.fields["date"] == "2024-07"
    assert survey.fields["venue"] == "ACM Computing Surveys"
    assert survey.fields["links"]["pdf"] == "https://example.org/gvaed.pdf"
    assert survey.fields["links"]["doi"] == "https://doi.org/10.1145/3645101"
    assert survey.fields["tags"] == ["video anomaly detection", "survey"]
    assert survey.fields["extra"] == {"citation_key": "liu2024generalized", "entry_type": "article"}
    assert conference.fields["date"] == "2021" and conference.fields["links"] == {"code": "https://github.com/example/repo"}


def test_ris_entry_without_end_is_located():
    found = ris.parse(b"TY  - JOUR\nTI  - Fine\nER  - \n\nTY  - JOUR\nTI  - Cut off\n", "x.ris")
    assert [(e.line, e.issues) for e in found] == [(1, []), (5, [("entry", "no 'ER  - ' line ends this entry")])]


def test_arxiv_atom_response():
    (entry,) = read(arxiv_atom, "arxiv.atom")
    fields = entry.fields
    assert entry.line == 10 and entry.key == "2309.10305"
    assert fields["category"] == "cs.CL" and fields["date"] == "2023-09-19"
    assert fields["links"] == {"arxiv": "https://arxiv.org/abs/2309.10305", "code": "https://github.com/baichuan-inc/Baichuan2"}
    assert fields["abstract"].startswith("Large language models (LLMs) have demonstrated remarkable performance on a variety")


def test_xml_entities_are_refused():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&b;</title></entry></feed>'
    )
    external = (
        b'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&x;</title></entry></feed>'
    )
    for data in (bomb, external):
        (entry,) = arxiv_atom.parse(data, "a.xml")
        assert entry.issues and "refused XML" in entry.issues[0][1] and not entry.fields


def test_broken_xml_is_located():
    (entry,) = arxiv_atom.parse(b"<feed>\n<entry>\n</feed>", "a.xml")
    assert entry.issues[0][0] == "file" and entry.line == 3


def test_orcid_full_work_has_authors_abstract_and_doi():
    (work,) = read(orcid, "orcid-work.json")
    assert work.fields["authors"] == ["Yang Liu", "Liang Song"]
    assert work.fields["date"] == "2024-07-01"
    assert work.fields["venue"] == "ACM Computing Surveys"
    assert work.fields["links"] == {"doi": "https://doi.org/10.1145/3645101"}  # the ISSN is part-of, not the work
    assert work.fields["abstract"] == "Video Anomaly Detection (VAD) serves as a pivotal technology."


def test_orcid_summaries_without_authors_say_what_to_do():
    (work,) = read(orcid, "orcid-works.json")
    assert work.issues[0][0] == "authors" and "orcid:ID" in work.issues[0][1]


def test_orcid_authors_from_the_attached_bibtex_when_there_are_no_contributors():
    data = json.loads((FIXTURES / "orcid-work.json").read_text())
    del data["contributors"]
    (work,) = orcid.parse(json.dumps(data).encode(), "w.json")
    assert work.fields["authors"] == ["Yang Liu", "Liang Song"]


def test_openalex_works():
    baichuan, survey = read(openalex, "openalex-works.json")
    assert baichuan.fields["links"] == {"arxiv": "https://arxiv.org/abs/2309.10305"}
    assert "venue" not in baichuan.fields  # arXiv is a repository, not a venue
    assert baichuan.fields["citations"] == 412
    assert baichuan.fields["abstract"] == "Large language models (LLMs) perform."
    assert baichuan.fields["tags"] == ["Language model"]
    assert survey.fields["venue"] == "ACM Computing Surveys"
    assert survey.fields["links"] == {"arxiv": "https://arxiv.org/abs/2302.05087", "doi": "https://doi.org/10.1145/3645101"}
    assert survey.fields["citations"] == 57


@pytest.mark.parametrize("parser", [csl_json, orcid, openalex])
@pytest.mark.parametrize(
    "junk",
    [
        b"",
        b"null",
        b"[1, 2]",
        b'{"group": [null, {"work-summary": [7]}]}',
        b"[" * 100000,
        b'{"results": [{"id": "https://openalex.org/W1", "authorships": [7], "publication_date": "soon"}]}',
        '[{"title": "\u00e9"}]'.encode("utf-16"),
    ],
)
def test_json_hazards_never_raise(parser, junk):
    for entry in parser.parse(junk, "x.json"):
        assert entry.line >= 1
