"""cv.pdf: typeset by Typst from the same CV, read back with pypdf as a reader's PDF viewer would."""

from __future__ import annotations

import io
import re

import pytest
import yaml
from pypdf import PdfReader

from generator import cv_pdf
from generator.cli import main
from generator.pipeline import BuildOptions, build
from tests.cv_sample import CV_SITE, PAPER_TITLES, SECTION_HEADINGS

A4 = (595.28, 841.89)
LETTER = (612.0, 792.0)


def build_pdf(make_site, tmp_path, extra: dict | None = None, name: str = "out") -> bytes:
    root = make_site(CV_SITE | (extra or {}))
    out = tmp_path / name
    build(BuildOptions(root, out, base_url="https://mei.example.org/"))
    return (out / "cv.pdf").read_bytes()


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture
def pdf(make_site, tmp_path) -> bytes:
    return build_pdf(make_site, tmp_path)


def test_the_pdf_holds_the_name_every_heading_and_every_paper_title(pdf):
    text = text_of(pdf)
    assert text.startswith("Mei Tanaka")
    for heading in SECTION_HEADINGS:
        assert heading in text, heading
    for title in PAPER_TITLES:
        assert title in text, title
    assert "Best Paper Award" in text and "Stanford Vision Seminar" in text and "Zürich" in text


def test_a_paper_s_wrapped_lines_hang_under_its_text_not_under_its_number(make_site, tmp_path):
    long_title = "A Very Long Title " * 12
    paper = f"---\ntitle: {long_title.strip()}\nauthors: [Mei Tanaka]\ndate: 2020-01-01\ncategory: CV\n---\nText.\n"
    reader = PdfReader(io.BytesIO(build_pdf(make_site, tmp_path, {"content/papers/long.md": paper})))
    lines: dict[tuple[int, float], list[tuple[float, str]]] = {}  # (page, y) -> [(x, text)] of each line

    for n, page in enumerate(reader.pages):

        def visit(text, cm, tm, font, size, n=n):
            if text.strip():
                x, y = tm[4] * cm[0] + tm[5] * cm[2] + cm[4], tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                lines.setdefault((n, round(y, 1)), []).append((round(x, 1), text.strip()))

        page.extract_text(visitor_text=visit)
    numbered = [sorted(parts) for parts in lines.values() if re.fullmatch(r"\d+\.", sorted(parts)[0][1])]
    assert len(numbered) == 3  # the three papers, numbered
    starts = {parts[1][0] for parts in numbered}  # where each paper's text begins, right of its number
    assert len(starts) == 1
    wrapped = [
        parts
        for parts in lines.values()
        if "Very Long" in " ".join(t for _, t in parts) and not re.fullmatch(r"\d+\.", sorted(parts)[0][1])
    ]
    assert len(wrapped) >= 2 and all(min(parts)[0] == min(starts) for parts in wrapped)


def test_a_venue_that_names_its_year_is_not_followed_by_the_year_again(make_site, tmp_path):
    plain = "title: Plain Venue Paper\nauthors: [Mei Tanaka]\ndate: 2019-05\ncategory: CV\nvenue: Journal of Tests\n"
    text = text_of(build_pdf(make_site, tmp_path, {"content/papers/plain-venue.yaml": plain}))
    assert "CVPR 2024." in text and "NeurIPS 2021." in text
    assert "2024, 2024" not in text and "2021, 2021" not in text
    assert "Journal of Tests, 2019." in text  # a venue without its year gets it


def test_latex_math_is_typeset_not_shown_raw(pdf):
    text = text_of(pdf)
    assert "\\mathcal" not in text and "$" not in text.replace("$500,000", "")
    assert "(𝑛)" in text  # the n of O(n) set as a math italic


def test_cjk_names_render_when_a_cjk_font_is_installed(pdf):
    text = text_of(pdf)
    fonts = {str(f) for f in _fonts(pdf)}
    if cv_pdf.cjk_fonts():
        assert "李小龙" in text and any("CJK" in f for f in fonts)
    else:  # without one the build says how to get it (see test_build_notes_...)
        assert "Xiaolong Li" in text


def _fonts(pdf: bytes):
    reader = PdfReader(io.BytesIO(pdf))
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            described = descendants[0].get_object() if descendants else font
            yield described["/BaseFont"], described.get("/FontDescriptor")


def test_every_font_is_embedded(pdf):
    found = list(_fonts(pdf))
    assert found
    for name, descriptor in found:
        descriptor = descriptor.get_object()
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), name


def test_links_in_the_pdf_work(pdf):
    reader = PdfReader(io.BytesIO(pdf))
    uris = {
        a.get_object()["/A"]["/URI"] for page in reader.pages for a in page.get("/Annots", []) if "/URI" in a.get_object().get("/A", {})
    }
    assert {
        "https://mei.example.org/papers/small-models/",
        "https://arxiv.org/abs/2406.00001",
        "mailto:mei@example.org",
        "https://example.org/slides.pdf",
    } <= uris


def test_page_size_is_a4_unless_letter_is_configured(make_site, tmp_path):
    def size(pdf):
        box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
        return (round(float(box.width), 2), round(float(box.height), 2))

    assert size(build_pdf(make_site, tmp_path)) == A4
    letter = build_pdf(make_site, tmp_path, {"site.yaml": "title: T\nauthor: Mei Tanaka\ncv:\n  pdf:\n    paper: letter\n"}, "letter")
    assert size(letter) == LETTER


def test_two_builds_are_byte_identical_and_dated_from_the_content(make_site, tmp_path):
    first = build_pdf(make_site, tmp_path, name="one")
    second = build_pdf(make_site, tmp_path, name="two")
    assert first == second
    info = PdfReader(io.BytesIO(first)).metadata
    assert info["/CreationDate"].startswith("D:20240620")  # the newest date in the CV: the award
    assert info["/Title"] == "Mei Tanaka — Curriculum Vitae"


def test_the_cv_page_and_header_link_the_pdf(make_site, tmp_path):
    build_pdf(make_site, tmp_path)
    assert 'href="../cv.pdf"' in (tmp_path / "out/cv/index.html").read_text("utf-8")
    assert 'href="cv.pdf"' in (tmp_path / "out/index.html").read_text("utf-8")


def test_hostile_text_stays_text_in_the_pdf(make_site, tmp_path):
    hostile = '#read("/etc/passwd") ] [ *bold* $#panic("x")$ \\'
    cv_yaml = yaml.safe_dump({"awards": [{"name": hostile, "date": 2020}]}, allow_unicode=True)
    text = text_of(build_pdf(make_site, tmp_path, {"content/cv.yaml": cv_yaml}))
    assert '#read("/etc/passwd") ] [ *bold*' in text and "root:" not in text


def test_without_the_pdf_extra_the_build_says_so_once_and_goes_on(make_site, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cv_pdf, "available", lambda: False)
    root = make_site(CV_SITE)
    assert main(["build", "--site", str(root), "--output", str(tmp_path / "out")]) == 0
    captured = capsys.readouterr()
    assert (captured.out + captured.err).count("pip install 'cvsite[pdf]'") == 1
    assert not (tmp_path / "out/cv.pdf").exists()
    assert "cv.pdf" not in (tmp_path / "out/cv/index.html").read_text("utf-8")
    assert (tmp_path / "out/resume.json").is_file()


def test_a_site_with_its_own_static_cv_pdf_publishes_that_one(make_site, tmp_path, capsys):
    root = make_site(CV_SITE | {"static/cv.pdf": b"%PDF-1.4 my own CV"})
    assert main(["build", "--site", str(root), "--output", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out/cv.pdf").read_bytes() == b"%PDF-1.4 my own CV"
    assert 'href="../cv.pdf"' in (tmp_path / "out/cv/index.html").read_text("utf-8")
    assert "Note:" not in capsys.readouterr().err
