"""Profile metrics from the records: `auto` h-index and citations, hand-written numbers win."""

from __future__ import annotations

import pytest

from generator.errors import ContentError
from generator.load import load_site
from generator.metrics import h_index, resolve_metrics
from generator.model import build_model
from generator.records import Metrics
from generator.validate import validate_site


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ([], 0),  # no papers with a count
        ([0, 0, 0], 0),  # papers, none cited
        ([1], 1),
        ([100], 1),  # one paper, however cited
        ([3, 0, 6, 1, 5], 3),
        ([4, 4, 4, 4], 4),  # h equal to the number of papers
        ([5, 5, 5, 5], 4),
        ([10, 9, 8, 7, 6, 5, 4, 3, 2, 1], 5),
        ([2, 2, 1], 2),  # a tie at the boundary
        ([1, 1, 1, 1], 1),
    ],
)
def test_h_index(counts, expected):
    assert h_index(counts) == expected
    assert h_index(reversed(counts)) == expected  # the order of the papers does not matter


def paper(name: str, citations: int | None) -> dict[str, str]:
    cited = f"citations: {citations}\n" if citations is not None else ""
    return {f"content/papers/{name}.md": f"---\ntitle: {name}\nauthors: [Ada]\ndate: 2020\ncategory: CV\n{cited}---\n"}


def profile(metrics: str) -> dict[str, str]:
    return {"content/profile.md": f"---\nname: Ada\nmetrics:\n{metrics}---\nBio.\n"}


def model_of(root):
    return build_model(validate_site(load_site(root)))


def test_auto_metrics_come_from_the_papers_citations(make_site):
    files = profile("  h_index: auto\n  citations: auto\n") | paper("a", 10) | paper("b", 3) | paper("c", 2) | paper("d", None)
    metrics = model_of(make_site(files)).profile.metrics
    assert (metrics.h_index, metrics.citations) == (2, 15)
    assert (metrics.computed, metrics.computed_from) == ("h-index and citations", 3)


def test_numbers_written_by_hand_win(make_site):
    files = profile("  h_index: 40\n  citations: auto\n") | paper("a", 10)
    metrics = model_of(make_site(files)).profile.metrics
    assert (metrics.h_index, metrics.citations, metrics.computed) == (40, 10, "Citations")
    assert resolve_metrics(Metrics(h_index=3, citations=7), []) == Metrics(h_index=3, citations=7)


def test_drafts_do_not_count(make_site):
    files = (
        profile("  citations: auto\n")
        | paper("a", 10)
        | {"content/papers/draft.md": "---\ntitle: D\nauthors: [Ada]\ndate: 2020\ncategory: CV\ncitations: 99\ndraft: true\n---\n"}
    )
    assert model_of(make_site(files)).profile.metrics.citations == 10


def test_a_word_other_than_auto_is_a_located_error(make_site):
    with pytest.raises(ContentError) as caught:
        validate_site(load_site(make_site(profile("  h_index: automatic\n"))))
    assert [str(p) for p in caught.value.problems] == [
        "content/profile.md:4: metrics.h_index: expected a whole number or auto (computed from the papers), got str 'automatic'"
    ]
