"""Fuzzing the whole build: random and mutated records, YAML and Markdown go through `cvsite
build`, which must end with exit status 0 or 1, never a traceback, and on success write only
well-formed files (strict HTML5 parse, XML parse of feeds and sitemap) and nothing outside the
output folder.

Hypothesis runs a fixed, derandomized set of examples, so CI is deterministic and fast."""

from __future__ import annotations

import contextlib
import io
import shutil
import tempfile
from pathlib import Path

import html5lib
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from lxml import etree

from generator.cli import main
from generator.yamlio import BAD_CHARACTER

# No shrinking: a failure prints its (unshrunk) example at once instead of minutes later.
FUZZ = settings(
    max_examples=30,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Pieces that have broken builds or pages before: LaTeX, math, Markdown, HTML, XML, YAML syntax,
# control characters from PDFs, long words, right-to-left and combining marks.
TRICKY = [
    "\\emph{",
    "}",
    "{",
    "$",
    "$$",
    "\\frac{a}{b}",
    "$a^$",
    "\\",
    "%",
    "#",
    "&",
    "&amp;",
    "<script>",
    "</p>",
    "]]>",
    "<!--",
    "*",
    "_",
    "`",
    "[x](javascript:alert(1))",
    "<https://example.org>",
    "\x01",
    "\x0c",
    "\x1b",
    "\x7f",
    "\x85",
    "\u2028",
    "\ufeff",
    "\ufffe",
    "\u202e",
    "e\u0301",
    "---",
    "...",
    "- ",
    ": ",
    "&a ",
    "*a",
    "!!python/object",
    "'",
    '"',
    "\n",
    "\t",
    "\r",
    "x" * 300,
    "\u4e2d\u6587",
    "\U0001f600",
]

texts = st.lists(st.one_of(st.sampled_from(TRICKY), st.text(max_size=12)), max_size=8).map("".join)
# Text that validation accepts (no control characters), still full of tricky pieces: what reaches pages.
clean_texts = texts.map(lambda text: BAD_CHARACTER.sub("", text))
dates = st.one_of(st.sampled_from(["2023-05-01", "2020", "2019-02", "2019-02-30", "9999-12-31", "0001-01-01", ""]), st.text(max_size=10))
links = st.dictionaries(
    st.sampled_from(["code", "pdf", "arxiv", "doi", "x"]),
    st.one_of(st.sampled_from(["https://example.org/a?b=<c>&d", "javascript:alert(1)", "/rel", "mailto:a@b.c", "data:text/html,x"]), texts),
    max_size=3,
)


@st.composite
def clean_paper_records(draw) -> dict:
    """Records of the right shape: every build succeeds, so the pages and feeds get checked."""
    record = {
        "title": "T " + draw(clean_texts),
        "authors": [f"A {name}" for name in draw(st.lists(clean_texts, min_size=1, max_size=3))],
        "date": draw(st.sampled_from(["2023-05-01", "2020", "2019-02", "1999-12-31"])),
        "category": draw(st.sampled_from(["CV", "cs.LG", "stat.ML"])),
        "venue": draw(clean_texts),
        "tags": draw(st.lists(clean_texts.filter(str.strip), max_size=2)),
        "links": draw(
            st.dictionaries(
                st.sampled_from(["code", "pdf", "arxiv", "doi"]),
                st.sampled_from(["https://example.org/a?b=<c>&d", "/rel", "mailto:a@b.c"]),
                max_size=2,
            )
        ),
        "extra": {"note": draw(clean_texts)},
    }
    if draw(st.booleans()):
        record["score"] = draw(st.floats(0, 1e6))
    return record


@st.composite
def paper_records(draw) -> dict:
    record = {
        "title": draw(st.one_of(texts, st.integers(), st.booleans(), st.none())),
        "authors": draw(st.one_of(st.lists(texts, min_size=1, max_size=4), texts)),
        "date": draw(dates),
        "category": draw(st.sampled_from(["CV", "cs.LG", "stat.ML", "QC", "nope", ""])),
    }
    optional = {
        "venue": texts,
        "links": links,
        "tags": st.lists(texts, max_size=3),
        "et_al": st.booleans(),
        "score": st.one_of(st.floats(allow_nan=True), st.integers()),
        "citations": st.integers(),
        "slug": st.one_of(texts, st.just("a-b")),
        "draft": st.booleans(),
        "featured": st.booleans(),
        "extra": st.dictionaries(st.text(max_size=5), texts, max_size=3),
        "typo_field": texts,
    }
    for name in draw(st.lists(st.sampled_from(sorted(optional)), unique=True, max_size=5)):
        record[name] = draw(optional[name])
    return record


def mutate(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    """Byte-level damage: at each (position, length) replace that many bytes with others."""
    for position, length, replacement in edits:
        at = position % (len(data) + 1)
        data = data[:at] + replacement + data[at + length :]
    return data


edits = st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 4), st.binary(max_size=4)), max_size=3)


@st.composite
def paper_files(draw, clean: bool) -> tuple[str, bytes]:
    record = draw(clean_paper_records() if clean else paper_records())
    body = clean_texts if clean else texts
    front = yaml.safe_dump(record, allow_unicode=draw(st.booleans()), sort_keys=False)
    kind = draw(st.sampled_from(["md", "yaml"]))
    if kind == "md":
        data = f"---\n{front}---\n{draw(body)}\n\n{draw(body)}\n".encode("utf-8", "surrogatepass")
    else:
        record["abstract"] = draw(body)
        data = yaml.safe_dump(record, allow_unicode=True, sort_keys=False).encode("utf-8", "surrogatepass")
    if not clean and draw(st.booleans()):
        data = mutate(data, draw(edits))
    name = draw(st.sampled_from(["a", "b", "Paper One", "\u4e2d", "x" * 60]))
    return f"{name}.{kind}", data


@st.composite
def sites(draw, clean: bool = False) -> dict[str, bytes]:
    """A whole site; clean: valid records with tricky text, else anything, damaged at random."""
    text = clean_texts if clean else texts
    config = {"title": draw(text), "base_url": draw(st.sampled_from(["https://example.org/cv/", ""] + ([] if clean else ["nope"])))}
    if draw(st.booleans()):
        config["categories"] = {"QC": "Q " + draw(text)}
    if not clean and draw(st.booleans()):  # raw HTML the owner lets through may be invalid HTML
        config["allow_html"] = draw(st.booleans())
    if draw(st.booleans()):
        config["extra"] = {"k": draw(text)}
    config_text = yaml.safe_dump(config, allow_unicode=True).encode("utf-8", "surrogatepass")
    if not clean and draw(st.booleans()):
        config_text = mutate(config_text, draw(edits))
    profile = {
        "name": "Ada " + draw(text) if clean else draw(st.one_of(st.just("Ada Lovelace"), texts)),
        "headline": draw(text),
        "links": {"Web": "https://example.org/"} if clean else draw(links),
    }
    profile_text = f"---\n{yaml.safe_dump(profile, allow_unicode=True)}---\n{draw(text)}\n".encode("utf-8", "surrogatepass")
    if not clean and draw(st.booleans()):
        profile_text = mutate(profile_text, draw(edits))
    files = {"site.yaml": config_text, "content/profile.md": profile_text}
    for name, data in draw(st.lists(paper_files(clean), max_size=4, unique_by=lambda f: f[0].rsplit(".", 1)[0])):
        files[f"content/papers/{name}"] = data
    return files


def run_build(site: Path, out: Path) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        status = main(["build", "--site", str(site), "--output", str(out)])
    return status, err.getvalue()


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file of the site but the build cache, the one thing a build writes there (documented)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".cvsite-cache" not in p.relative_to(folder).parts
    }


def check_build(files: dict[str, bytes]) -> tuple[int, str]:
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        for rel, data in files.items():
            (site / rel).parent.mkdir(parents=True, exist_ok=True)
            (site / rel).write_bytes(data)
        sources = snapshot(site)
        out = Path(tmp) / "out"
        status, err = run_build(site, out)  # an exception here is the traceback a user would see
        assert status in (0, 1), err
        assert "Traceback" not in err
        assert snapshot(site) == sources  # nothing written into the site, nor beside the output
        assert sorted(p.name for p in Path(tmp).iterdir()) == (["out", "site"] if status == 0 else ["site"])
        if status == 1:
            assert err.strip().splitlines()[-1].startswith("cvsite: ") and "problem" in err
            return status, err
        parser = html5lib.HTMLParser(strict=True)
        for path in out.rglob("*"):
            if path.suffix == ".html":
                parser.parse(path.read_bytes())
            elif path.suffix == ".xml":
                etree.fromstring(path.read_bytes())
        shutil.rmtree(out)
        return status, err


@FUZZ
@given(sites())
def test_any_input_builds_or_fails_cleanly(files):
    check_build(files)


@FUZZ
@given(sites(clean=True))
def test_tricky_text_in_valid_records_gives_well_formed_pages_and_feeds(files):
    status, err = check_build(files)
    assert status == 0, err
