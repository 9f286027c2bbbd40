"""The bibliography files after an edit: the unchanged papers' bytes copied from the file as last
written, the rest made, and the whole equal to the file made from nothing."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import joined
from generator.joined import JoinedFile

FORMS = [("", "\n", "", ""), ("[\n", ",\n", "\n]\n", "[]\n")]  # BibTeX and RIS; CSL-JSON
TEXTS = st.text(alphabet=st.sampled_from(["a", "é", "\n", ",", "{", "😀", " "]), max_size=6)


def made(papers, form, previous=None):
    """The file's bytes, its layout and which papers' texts were made."""
    asked = []

    def text(i):
        asked.append(papers[i][0])
        return papers[i][1]

    head, sep, tail, empty = form
    ids = b"".join(p[0].encode().ljust(joined.ID_SIZE, b"\0") for p in papers)  # packed, as the model's
    file = JoinedFile(len(papers), text, ids, head, sep, tail, empty, previous)
    data = b"".join(file)
    return data, file.layout(hashlib.sha256(data).hexdigest()), asked


def whole(papers, form):
    head, sep, tail, empty = form
    return (head + sep.join(t for _, t in papers) + tail if papers else empty).encode("utf-8")


@st.composite
def edits(draw):
    """A list of papers (id, text) and the list after edits: texts changed, papers added,
    removed and moved. A paper's text is a function of its id, as an export's is of its key."""
    ids = draw(st.lists(st.integers(0, 40), unique=True, max_size=25))
    texts = {i: draw(TEXTS) for i in range(60)}
    before = [(f"p{i}", texts[i]) for i in ids]
    after_ids = draw(st.permutations(ids)) if draw(st.booleans()) else list(ids)
    after_ids = [i for i in after_ids if draw(st.integers(0, 9))]  # some removed
    after_ids += draw(st.lists(st.integers(41, 59), unique=True, max_size=5))  # some added
    changed = set(draw(st.lists(st.sampled_from(after_ids), max_size=3))) if after_ids else set()
    after = [(f"p{i}" + ("'" if i in changed else ""), texts[i] + ("!" if i in changed else "")) for i in after_ids]
    return before, after


@pytest.mark.parametrize("form", FORMS)
@settings(max_examples=300, deadline=None)
@given(change=edits(), piece=st.sampled_from([1, 2, 512]))
def test_a_file_made_from_the_one_before_is_the_file_made_from_nothing(tmp_path_factory, form, change, piece):
    before, after = change
    old = tmp_path_factory.mktemp("joined") / "papers.bib"
    saved = joined.PIECE
    joined.PIECE = piece  # copies and made runs cut short: many pieces
    try:
        data, layout, _ = made(before, form)
        old.write_bytes(data)
        again, _, asked = made(after, form, (old, layout))
    finally:
        joined.PIECE = saved
    assert data == whole(before, form)
    assert again == whole(after, form)
    kept = {i for i, _ in before}
    assert asked == [i for i, _ in after if i not in kept]  # only what the old file lacks is made


def test_a_file_that_is_not_what_its_layout_describes_lends_nothing(tmp_path):
    papers = [("a", "alpha"), ("b", "beta"), ("c", "gamma")]
    data, layout, _ = made(papers, FORMS[1])
    old = tmp_path / "papers.json"
    for other in (data + b" ", data.replace(b"[\n", b"(\n"), data.replace(b"\n]\n", b"\n)\n")):
        old.write_bytes(other)
        again, _, asked = made(papers, FORMS[1], (old, layout))
        assert again == data and asked == ["a", "b", "c"]
    old.unlink()  # gone: made from nothing
    assert made(papers, FORMS[1], (old, layout))[0] == data
