"""Field converters: what each accepts, and the message a researcher gets for what it refuses."""

from __future__ import annotations

import pytest

from generator import schema as s
from generator.records import PartialDate


@pytest.mark.parametrize(
    "target",
    [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        " JaVaScRiPt:alert(1)",
        "\tjavascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "javascript\u200b:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        " DATA:text/html,x",
        "vbscript:msgbox",
        "file:///etc/passwd",
    ],
)
def test_unsafe_urls_are_refused(target):
    with pytest.raises(s.FieldIssue) as caught:
        s.url(target)
    assert "unsafe URL scheme" in str(caught.value) or "control characters" in str(caught.value)


@pytest.mark.parametrize(
    "target", ["https://github.com/a/b", "http://x.org/p?q=1&r=2#f", "mailto:a@b.org", "me.jpg", "/slides.pdf", "papers/x.pdf", "#top"]
)
def test_safe_urls_are_kept(target):
    assert s.url(target) == target


def test_url_map_names_the_bad_entry():
    with pytest.raises(s.FieldIssue) as caught:
        s.url_map({"code": "https://ok.org", "demo": "javascript:alert(1)"})
    assert caught.value.subfield == "demo"
    assert "'javascript:'" in str(caught.value)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2023-09-19", PartialDate(2023, 9, 19)),
        ("2023-09", PartialDate(2023, 9)),
        ("2023", PartialDate(2023)),
        (2023, PartialDate(2023)),
        ("2024-02-29", PartialDate(2024, 2, 29)),
    ],
)
def test_dates_at_three_precisions(value, expected):
    assert s.partial_date(value) == expected


@pytest.mark.parametrize("value", ["2023-02-30", "2023-02-29", "2023-13", "2023-00-10", "2023-04-31", "0999"])
def test_impossible_dates(value):
    with pytest.raises(s.FieldIssue, match="impossible date"):
        s.partial_date(value)


@pytest.mark.parametrize("value", ["19-09-2023", "2023/09/19", "Sept 2023", True, 3.5, [2023]])
def test_malformed_dates_say_what_is_expected(value):
    with pytest.raises(s.FieldIssue, match="YYYY-MM-DD, YYYY-MM or YYYY"):
        s.partial_date(value)


def test_text_refuses_other_types_and_hints_at_quotes():
    for value, shown in ((True, "yes/no value true"), (2024, "number 2024")):
        with pytest.raises(s.FieldIssue) as caught:
            s.text(value)
        assert shown in str(caught.value) and "quotes" in str(caught.value)
    with pytest.raises(s.FieldIssue, match="expected text, got a list"):
        s.text(["a"])


def test_lists_name_the_bad_item():
    with pytest.raises(s.FieldIssue, match="item 2: "):
        s.text_list(nonempty=True)(["Ada", 7])
    with pytest.raises(s.FieldIssue, match="at least one"):
        s.text_list(nonempty=True)([])
    with pytest.raises(s.FieldIssue, match="expected a list"):
        s.text_list()("Ada Lovelace")


def test_numbers_and_ranges():
    assert s.number(0, 100)(46) == 46
    with pytest.raises(s.FieldIssue, match="at most 100"):
        s.number(0, 100)(101)
    with pytest.raises(s.FieldIssue, match="whole number"):
        s.number(0, integer=True)(1.5)
    with pytest.raises(s.FieldIssue, match="expected a number"):
        s.number()(True)


def test_did_you_mean():
    assert s.suggestion("venu", ["venue", "title"]) == " (did you mean 'venue'?)"
    assert s.suggestion("Titel", ["venue", "title"]) == " (did you mean 'title'?)"
    assert s.suggestion("zzzz", ["venue", "title"]) == ""
