"""Records read back from the build cache: equal to the records parsed, their parsed content
unpacked only when something reads it (a build that finds a file unchanged needs only its path
and digest: validate keys the paper by them)."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from generator import memo
from generator.errors import ContentError
from generator.load import load_site, parse_record
from generator.validate import validate_site

RECORD = b"---\ntitle: A Paper\nauthors: [Ada Lovelace]\ndate: 2021\ncategory: CV\nslug: a-paper\n---\nThe *abstract*.\n"


def test_a_record_read_back_is_the_record_parsed():
    parsed = parse_record("content/papers/a.md", RECORD, "d1")
    back = pickle.loads(pickle.dumps(parsed, pickle.HIGHEST_PROTOCOL))
    assert back == parsed and parsed == back
    assert (back.doc.line("slug"), back.body, back.body_line) == (6, "The *abstract*.", 8)
    again = pickle.loads(pickle.dumps(back, pickle.HIGHEST_PROTOCOL))  # saved again, as a build keeping it does
    assert again == parsed
    assert dataclasses.replace(back, digest="d2") == dataclasses.replace(parsed, digest="d2")


def test_a_record_read_back_unpacks_its_content_only_when_read():
    back = pickle.loads(pickle.dumps(parse_record("content/papers/a.md", RECORD, "d1"), pickle.HIGHEST_PROTOCOL))
    assert (back.path, back.digest) == ("content/papers/a.md", "d1")
    assert "_content" not in vars(back)  # not unpacked by reading what the cache keys on
    assert back.doc.data["title"] == "A Paper"
    assert "_content" in vars(back)


@pytest.fixture(autouse=True)
def own_key(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))


def test_a_duplicate_slug_of_records_read_back_from_the_cache_is_reported_at_its_line(make_site, tmp_path):
    """A second load finds both records in the saved cache; the duplicate's line is still its own."""
    root = make_site(
        {
            "content/papers/one.md": RECORD.decode(),
            "content/papers/two.yaml": "title: B\nauthors: [B]\ndate: 2020\ncategory: CV\n\nslug: a-paper\n",
        }
    )
    first = memo.Memo()
    with memo.using(first), pytest.raises(ContentError):
        validate_site(load_site(root))
    first.finish()
    memo.save(tmp_path / "cache", "salt", first)
    loaded, _ = memo.load(tmp_path / "cache", "salt")
    known = {p.path: p.digest for p in load_site(root).papers}
    with memo.using(loaded), pytest.raises(ContentError) as caught:
        validate_site(load_site(root, known))
    assert loaded.computed == {}  # every record came from the cache
    (problem,) = [str(p) for p in caught.value.problems]
    assert problem.startswith("content/papers/two.yaml:6: slug: duplicate slug 'a-paper'")


def test_a_papers_abstract_and_its_records_body_are_kept_once(make_site, tmp_path):
    """The body is the string the paper holds as its abstract: the store keeps it once (pickled
    beside the paper in the same part), and a build reading the store gets one string back."""
    root = make_site({"content/papers/one.md": RECORD.decode()})
    first = memo.Memo()
    with memo.using(first):
        site = validate_site(load_site(root))
    first.finish()
    assert site.papers[0].abstract == "The *abstract*."
    memo.save(tmp_path / "cache", "salt", first)
    loaded, _ = memo.load(tmp_path / "cache", "salt")
    loaded._need("parse")
    (record,) = [v for slot, v in loaded.entries.items() if slot[0] == "parse" and v.path.endswith("one.md")]
    (paper,) = [v[0] for slot, v in loaded.entries.items() if slot[0] == "paper"]
    assert record.body is paper.abstract
