"""The messages a researcher sees in the terminal for common mistakes (issue 11's table), and
warnings: printed like errors, counted in the summary, never blocking unless --strict."""

from __future__ import annotations

import re

import pytest

from tests.e2e.test_cli import cvsite
from tests.samples import TINYSEG

PAPER = "content/papers/tinyseg.md"
GOOD = TINYSEG


def build(root, *args: str):
    return cvsite("build", "--site", str(root), "--output", str(root / "out"), *args)


def paper_site(make_site, text: str, **more: str):
    return make_site({PAPER: text, **more})


@pytest.mark.parametrize(
    "change, printed",
    [
        (
            ("title: TinySeg", "title: TinySeg: Real-Time Segmentation"),
            (
                f"{PAPER}:2: title: invalid YAML: the value contains ': ', so it must be in quotes; "
                "write the line as: title: 'TinySeg: Real-Time Segmentation'"
            ),
        ),
        (
            ("  code: https", "code: https"),
            f"{PAPER}:9: code: 'code' is a link kind, not a field: it belongs under 'links:', indented by two spaces",
        ),
        (
            ("category: CV", "category: ML"),
            (
                f"{PAPER}:7: category: unknown category 'ML' (did you mean 'LG' (Machine Learning) or 'stat.ML' (Machine Learning)?); "
                "the codes are arXiv's, listed at https://arxiv.org/category_taxonomy; add one of your own under 'categories' in site.yaml"
            ),
        ),
    ],
)
def test_an_error_row_prints_its_message_and_writes_nothing(make_site, change, printed):
    root = paper_site(make_site, GOOD.replace(*change))
    result = build(root)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    first, summary = result.stderr.splitlines()
    assert first.startswith(printed)
    assert summary == "cvsite: 1 problem found; nothing was written"
    assert not (root / "out").exists()


def test_a_missing_photo_is_named(make_site):
    root = make_site({"content/profile.md": "---\nname: Ada\nphoto: me.jpg\n---\nBio.\n", PAPER: GOOD})
    result = build(root)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "content/profile.md:3: photo: no file static/me.jpg: put the photo in the site's static/ folder "
        "(it is published as /me.jpg), or give a full https:// address"
    )
    (root / "static").mkdir()
    (root / "static/me.jpg").write_bytes(b"\xff\xd8\xff")
    result = build(root)
    assert result.returncode == 0, result.stderr
    assert 'src="me.jpg"' in (root / "out/index.html").read_text("utf-8")


def test_a_photo_from_the_theme_or_the_web_is_no_error(make_site):
    root = make_site({"content/profile.md": "---\nname: Ada\nphoto: https://example.org/me.jpg\n---\nBio.\n", PAPER: GOOD})
    assert build(root).returncode == 0
    (root / "content/profile.md").write_text("---\nname: Ada\nphoto: /assets/style.css\n---\nBio.\n", "utf-8")
    assert build(root).returncode == 0  # a file of the theme's static/


def test_novelty_written_as_the_profile_shows_it(make_site):
    profile = '---\nname: Ada\nmetrics:\n  novelty: "46%"\n---\nBio.\n'
    root = make_site({"content/profile.md": profile, PAPER: GOOD})
    result = build(root)
    assert result.returncode == 0 and result.stderr == ""
    assert re.search(r">\s*46%\s*<", (root / "out/index.html").read_text("utf-8"))


@pytest.mark.parametrize(
    "change, printed",
    [
        (
            ("  - Mira", "    - Mira"),
            f"{PAPER}:3: authors: warning: author 1 'Priya Raman - Mira Okonkwo' looks like two names run together",
        ),
        (
            ("https://github.com", "github.com"),
            (
                f"{PAPER}:9: links.code: warning: 'github.com/x/tinyseg' has no https://, so it would be a link inside the site; "
                "write 'https://github.com/x/tinyseg'"
            ),
        ),
        (("  code:", "  cod:"), f"{PAPER}:9: links.cod: warning: unknown link kind 'cod' (did you mean 'code'?)"),
    ],
)
def test_a_warning_row_is_printed_counted_and_builds_but_not_under_strict(make_site, change, printed):
    root = paper_site(make_site, GOOD.replace(*change))
    result = build(root)
    assert result.returncode == 0, result.stderr
    (warning,) = result.stderr.splitlines()
    assert warning.startswith(printed)
    assert result.stdout.startswith("Built 1 papers") and result.stdout.rstrip().endswith("; 1 warning (see above)")
    assert (root / "out/index.html").is_file()

    (root / "out/index.html").write_text("the previous site", "utf-8")
    strict = build(root, "--strict")
    assert strict.returncode == 1
    assert strict.stderr.splitlines() == [
        warning,
        "cvsite: 1 problem found (0 errors, 1 warning; --strict counts warnings as errors); nothing was written",
    ]
    assert (root / "out/index.html").read_text("utf-8") == "the previous site"


def test_errors_and_warnings_are_counted_apart(make_site):
    root = make_site(
        {
            "content/papers/a.md": GOOD.replace("  code:", "  cod:").replace("https://", ""),
            "content/papers/b.md": GOOD.replace("category: CV", "category: CVV"),
        }
    )
    result = build(root)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert [line.split(": ", 3)[1] for line in lines[:-1]] == ["links.cod", "links.cod", "category"]  # in file order
    assert sum(": warning: " in line for line in lines) == 2
    assert lines[-1] == "cvsite: 3 problems found (1 error, 2 warnings); nothing was written"


def test_a_warning_shows_as_typed_on_the_page(make_site):
    root = paper_site(make_site, GOOD.replace("  code:", "  cod:"))
    assert build(root).returncode == 0
    page = (root / "out/papers/tinyseg/index.html").read_text("utf-8")
    assert ">Cod</a>" in page  # built as written: the warning is the only hint


def test_strict_is_offered_by_build_and_serve():
    for command in ("build", "serve"):
        result = cvsite(command, "--help")
        assert "--strict" in result.stdout and "warnings as errors" in result.stdout


SERVED = "content/papers/prototype-rectification-for-few-shot-learning.md"


def test_serve_prints_warnings_and_a_line_when_errors_are_fixed(serve, example_copy, edit):
    server = serve()
    edit(example_copy / SERVED, "category: CV", "category: CVV")
    server.wait_for(lambda: server.status()["errors"])
    edit(example_copy / SERVED, "category: CVV", "category: CV")
    server.wait_for(lambda: not server.status()["errors"])
    edit(example_copy / SERVED, "  arxiv:", "  arxv:")  # a warning: the site is rebuilt all the same
    server.wait_for(lambda: server.status()["warnings"])
    assert ">Arxv</a>" in server.get("/papers/prototype-rectification-for-few-shot-learning/")[2]
    assert server.stop() == 0
    out, err = server.process.stdout.read(), server.process.stderr.read()
    assert "Errors fixed: the site builds again." in out
    assert out.index("Errors fixed") < out.rindex("; 1 warning (see above)")
    assert f"{SERVED}:" in err and ": links.arxv: warning: unknown link kind 'arxv' (did you mean 'arxiv'?)" in err


def test_serve_strict_shows_warnings_as_errors(serve, example_copy, edit):
    server = serve("--strict")
    epoch = server.status()["epoch"]
    edit(example_copy / SERVED, "  arxiv:", "  arxv:")
    status = server.wait_for(lambda: (s := server.status())["epoch"] > epoch and s)
    (error,) = status["errors"]
    assert ": links.arxv: warning: unknown link kind 'arxv'" in error
    body = server.get("/")[2]
    assert 'id="cvsite-errors"' in body


def test_latex_emphasis_is_html_on_pages_and_plain_text_in_feeds_and_descriptions(make_site):
    import html5lib
    from lxml import etree

    title = r"\emph{Fast} \textbf{M}odel in $O(n \log n)$"
    abstract = r"We sort in $O(n \log n)$ with \textit{care}."
    root = make_site(
        {
            "site.yaml": "title: T\nbase_url: https://ada.example.org/\n",
            PAPER: GOOD.replace("title: TinySeg", f"title: '{title}'").replace("Abstract.", abstract),
        }
    )
    result = build(root)
    assert result.returncode == 0 and result.stderr == ""

    page = html5lib.parse((root / "out/papers/tinyseg/index.html").read_bytes(), namespaceHTMLElements=False)
    h1 = page.find(".//h1")
    assert [(e.tag, e.text) for e in h1 if e.tag in ("em", "strong")] == [("em", "Fast"), ("strong", "M")]
    assert page.find(".//main//p/em").text == "care"
    meta = {m.get("name") or m.get("property"): m.get("content") for m in page.iter("meta")}
    assert meta["description"] == "We sort in O(n log n) with care."
    assert meta["og:title"].startswith("Fast Model in O(n log n) · ")
    assert meta["citation_title"] == "Fast Model in O(n log n)"
    assert page.find(".//title").text.startswith("Fast Model in O(n log n) · ")

    feed = etree.parse(str(root / "out/feed.xml"))
    atom = {"a": "http://www.w3.org/2005/Atom"}
    assert feed.findtext("a:entry/a:title", namespaces=atom) == "Fast Model in O(n log n)"
    assert feed.findtext("a:entry/a:summary", namespaces=atom) == "We sort in O(n log n) with care."


def test_an_unchanged_build_served_from_the_cache_still_warns_and_strict_still_fails(make_site):
    root = paper_site(make_site, GOOD.replace("  code:", "  cod:"))
    first = build(root)
    again = build(root)  # nothing changed: the build cache answers without rendering
    assert first.returncode == again.returncode == 0
    assert again.stderr == first.stderr and ": links.cod: warning: " in again.stderr
    assert again.stdout.rstrip().endswith("; 1 warning (see above)")
    strict = build(root, "--strict")
    assert strict.returncode == 1 and strict.stderr.splitlines()[0] == first.stderr.splitlines()[0]
