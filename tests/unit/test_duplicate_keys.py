"""A key given twice in front matter is an error, not a silent 'last one wins'."""

from generator.errors import ContentError
from generator.load import load_site
from generator.validate import validate_site


def test_duplicate_key_is_reported_with_both_lines(make_site):
    root = make_site(
        {
            "content/papers/p.md": """\
        ---
        title: First
        authors: [A]
        title: Second
        date: 2020
        category: CV
        ---
        """
        }
    )
    try:
        validate_site(load_site(root))
    except ContentError as exc:
        lines = [str(p) for p in exc.problems]
    else:
        raise AssertionError("a duplicated title must fail validation")
    assert any(line.startswith("content/papers/p.md:4: title: given twice (first on line 2)") for line in lines), lines
