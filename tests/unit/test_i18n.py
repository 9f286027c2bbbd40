"""The message catalogues: complete in every language, formatted without the process locale, and
the only source of the words the shipped script shows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import i18n
from generator.cv_records import CV
from generator.fields import LINK_KINDS
from generator.records import PartialDate

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_every_catalogue_has_every_string_with_the_same_placeholders(language):
    found = i18n.CATALOGUES[language]
    assert list(found) == list(i18n.ENGLISH)  # same ids, same order: a translator can diff the files
    for key, english in i18n.ENGLISH.items():
        assert found[key].strip(), key
        assert i18n.placeholders(found[key]) == i18n.placeholders(english), key


def test_every_link_kind_and_cv_section_has_a_string():
    for kind in LINK_KINDS:
        assert f"link_{kind}" in i18n.ENGLISH
    for section in (*CV.__dataclass_fields__, "publications"):
        if section != "source":
            assert f"cv_{section}" in i18n.ENGLISH, section


def test_a_language_tag_picks_its_catalogue_by_its_primary_subtag():
    assert i18n.catalogue("zh-CN") is i18n.CHINESE and i18n.catalogue("ZH") is i18n.CHINESE
    assert i18n.catalogue("fr") is i18n.ENGLISH  # no French catalogue: English interface text


@pytest.mark.parametrize(
    ("tag", "papers"),
    [
        ("zh-TW", "論文"),
        ("zh-Hant", "論文"),
        ("zh-Hant-TW", "論文"),
        ("zh-HK", "論文"),
        ("zh-mo", "論文"),
        ("zh-Hans-TW", "论文"),
        ("zh-SG", "论文"),
        ("zh", "论文"),
    ],
)
def test_chinese_comes_in_the_script_of_the_tag_or_region(tag, papers):
    """Taiwan, Hong Kong and Macao write Traditional characters; an explicit script wins."""
    t = i18n.messages(tag)
    assert t["papers"] == papers
    if papers == "論文":
        assert (t["cv"], t["search"], t["month_3"]) == ("履歷", "搜尋", "3月")


def test_the_traditional_catalogue_is_the_simplified_one_in_other_characters():
    """Same ids and placeholders, and no string left in Simplified characters that differ."""
    simplified, traditional = i18n.CATALOGUES["zh"], i18n.CATALOGUES["zh-Hant"]
    assert list(traditional) == list(simplified)
    for key, text in traditional.items():
        assert i18n.placeholders(text) == i18n.placeholders(simplified[key]), key
    left = [key for key, text in traditional.items() if set(text) & set("论类简历页码发图书馆项视频数据链")]
    assert left == []


def test_a_site_s_strings_override_single_messages():
    t = i18n.messages("zh", {"news": "动态"})
    assert t["news"] == "动态" and t["papers"] == "论文"


@pytest.mark.parametrize(
    ("language", "dates"),
    [
        ("en", ["2024", "Mar 2024", "Mar 5, 2024", "Dec 31, 1999"]),
        ("zh", ["2024", "2024年3月", "2024年3月5日", "1999年12月31日"]),
    ],
)
def test_dates_are_written_as_the_catalogue_says(language, dates):
    t = i18n.messages(language)
    values = [PartialDate(2024), PartialDate(2024, 3), PartialDate(2024, 3, 5), PartialDate(1999, 12, 31)]
    assert [i18n.date(t, v) for v in values] == dates


def test_counts_pick_the_singular_only_for_one_and_group_thousands():
    t = i18n.ENGLISH
    assert [i18n.count(t, "count_paper", n) for n in (0, 1, 2, 12345)] == ["0 papers", "1 paper", "2 papers", "12,345 papers"]
    assert i18n.count(i18n.CHINESE, "count_paper", 1) == "1 篇论文"


def test_fill_leaves_unknown_braces_as_written_and_reads_no_attributes():
    assert i18n.fill("{n} of {total} {x.__class__}", n=1, total=2) == "1 of 2 {x.__class__}"


@settings(max_examples=2000, deadline=None)
@given(
    st.text(alphabet="{}ab_ x", max_size=14),
    st.dictionaries(st.sampled_from(["a", "b", "x", "ab", "a_b"]), st.sampled_from(["V", "{a}", 3, ""]), max_size=3),
)
def test_fill_replaces_each_placeholder_once_and_only_known_ones(message, values):
    """What one pass of the placeholder pattern over the message gives: a value holding braces
    is not filled in again, and braces around an unknown name stay as written."""
    expected = i18n.PLACEHOLDER.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), message)
    assert i18n.fill(message, **values) == expected


def test_the_shipped_script_holds_no_interface_text():
    """Everything site.js and the Cite block's script show reaches them from the page (data-
    attributes the templates fill from the catalogue)."""
    scripts = (REPO / "themes/default/static/assets/site.js").read_text("utf-8")
    scripts += (REPO / "templates/paper.html").read_text("utf-8").split("<script>", 1)[1]
    literals = re.findall(r'"((?:[^"\\]|\\.)*)"', scripts)
    for key in ("search_searching", "search_found_one", "search_found_other", "search_unavailable", "copy_bibtex", "copied", "copy_failed"):
        words = i18n.fill(i18n.ENGLISH[key], n="").strip()
        assert not [s for s in literals if words in s], key
    prose = [s for s in literals if re.search(r"[A-Za-z]{3,} [A-Za-z]{3,}", s) and s != "use strict"]
    assert prose == []  # no sentence at all, in any language
