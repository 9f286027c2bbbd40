"""The model: ordering, grouping, counts, author highlighting."""

from __future__ import annotations

from generator import urls
from generator.load import load_site
from generator.model import build_model
from generator.validate import validate_site


def paper(title, date, category="CV", authors="[Ada Lovelace, Charles Babbage]", extra=""):
    return f"---\ntitle: {title}\nauthors: {authors}\ndate: {date}\ncategory: {category}\n{extra}---\nAbstract of {title}.\n"


def model_of(root):
    return build_model(validate_site(load_site(root)))


def test_papers_newest_first_and_grouped_by_year(make_site):
    root = make_site(
        {
            "content/papers/a.md": paper("Old", "2019-01-05"),
            "content/papers/b.md": paper("Newest", "2024-03"),
            "content/papers/c.md": paper("Middle", "2021-12-31", "LG"),
            "content/papers/d.md": paper("Same year later", "2024-11-02", "CL"),
        }
    )
    model = model_of(root)
    assert [e.paper.title for e in model.entries] == ["Same year later", "Newest", "Middle", "Old"]
    assert [(g.key, len(g.entries)) for g in model.by_year] == [("2024", 2), ("2021", 1), ("2019", 1)]
    assert model.paper_count == 4


def test_categories_grouped_with_counts_and_names(make_site):
    root = make_site(
        {
            "content/papers/a.md": paper("A", "2020", "CV"),
            "content/papers/b.md": paper("B", "2021", "cs.CV"),
            "content/papers/c.md": paper("C", "2022", "stat.ML"),
        }
    )
    groups = {g.key: g for g in model_of(root).by_category}
    assert set(groups) == {"CV", "stat.ML"}
    assert len(groups["CV"].entries) == 2 and groups["CV"].label == "Computer Vision and Pattern Recognition"
    assert groups["CV"].url == "/categories/cv/"
    assert groups["stat.ML"].url == "/categories/stat-ml/"


def test_site_author_is_highlighted_defaulting_to_profile_name(make_site):
    root = make_site({"content/papers/a.md": paper("A", "2020")})
    (entry,) = model_of(root).entries
    assert [(a.name, a.is_site_author) for a in entry.authors] == [("Ada Lovelace", True), ("Charles Babbage", False)]

    root = make_site({"site.yaml": "author: Charles Babbage\n"})
    (entry,) = model_of(root).entries
    assert [a.is_site_author for a in entry.authors] == [False, True]


def test_pages_declare_their_inputs(make_site):
    root = make_site({"content/papers/a.md": paper("A", "2020"), "content/papers/b.md": paper("B", "2021", "LG")})
    pages = {p.url: p for p in model_of(root).pages}
    assert set(pages["/papers/a/"].inputs) == {"content/profile.md", "content/papers/a.md"}
    assert "content/papers/a.md" not in pages["/categories/lg/"].inputs
    assert set(pages["/"].inputs) >= {"content/papers/a.md", "content/papers/b.md"}


def test_same_date_papers_are_ordered_by_title_and_partial_dates_sort_sensibly(make_site):
    root = make_site(
        {
            "content/papers/a.md": paper("Beta", "2024-03-01"),
            "content/papers/b.md": paper("Alpha", "2024-03-01"),
            "content/papers/c.md": paper("Month only", "2024-03"),
            "content/papers/d.md": paper("Year only", "2024"),
            "content/papers/e.md": paper("Later", "2024-03-02"),
        }
    )
    titles = [e.paper.title for e in model_of(root).entries]
    assert titles[:3] == ["Later", "Alpha", "Beta"]
    assert titles.index("Month only") > titles.index("Beta") and titles.index("Year only") == 4


def test_category_groups_counted_most_papers_first(make_site):
    root = make_site(
        {f"content/papers/p{i}.md": paper(f"P{i}", f"202{i}", cat) for i, cat in enumerate(["LG", "CV", "CL", "CV", "LG", "CV"])}
    )
    groups = model_of(root).by_category
    assert [(g.key, len(g.entries)) for g in groups] == [("CV", 3), ("LG", 2), ("CL", 1)]
    for group in groups:
        assert [e.paper.date for e in group.entries] == sorted((e.paper.date for e in group.entries), reverse=True)


def test_et_al_is_kept_and_only_listed_authors_are_shown(make_site):
    root = make_site(
        {
            "content/papers/a.md": paper("A", "2020", authors="[Ada Lovelace, B]", extra="et_al: true\n"),
            "content/papers/b.md": paper("B", "2021"),
        }
    )
    entries = {e.paper.title: e for e in model_of(root).entries}
    assert entries["A"].paper.et_al is True and entries["B"].paper.et_al is False
    assert [a.name for a in entries["A"].authors] == ["Ada Lovelace", "B"]


def test_site_author_match_ignores_case_and_spacing_and_latex(make_site):
    root = make_site(
        {
            "site.yaml": "author: Kurt Gödel\n",
            "content/papers/a.md": paper("A", "2020", authors='["Kurt  G{\\\\\\"o}del", "kurt gödel", "Kurt Godel"]'),
        }
    )
    (entry,) = model_of(root).entries
    assert [(a.name, a.is_site_author) for a in entry.authors] == [("Kurt  Gödel", True), ("kurt gödel", True), ("Kurt Godel", False)]


def test_title_and_abstract_are_rendered_once_in_the_model(make_site):
    root = make_site({"content/papers/a.md": paper(r"\textbf{M}odel for $x^2$", "2020")})
    (entry,) = model_of(root).entries
    assert entry.title_text.startswith("Model for") and "<math" in entry.title_html
    assert entry.abstract_html.startswith("<p>") and "\\textbf" not in entry.abstract_html
    assert entry.abstract_text.startswith("Abstract of Model for")


def test_page_list_covers_every_paper_category_and_year(make_site):
    root = make_site({"content/papers/a.md": paper("A", "2020", "CV"), "content/papers/b.md": paper("B", "2022", "stat.ML")})
    assert {p.url for p in model_of(root).pages} == {
        "/",
        "/categories/",
        "/years/",
        "/404.html",
        "/papers/a/",
        "/papers/b/",
        "/categories/cv/",
        "/categories/stat-ml/",
        "/years/2020/",
        "/years/2022/",
        "/cv/",
        "/resume.json",
        "/search/",
        *urls.search_data_urls(2),
        "/papers.bib",
        "/papers.json",
        "/papers.ris",
        "/papers/a/a.bib",
        "/papers/b/b.bib",
    }


def test_allow_html_never_lets_markup_into_titles(make_site):
    root = make_site(
        {
            "site.yaml": "allow_html: true\n",
            "content/papers/a.md": "---\ntitle: 'A <b>bold</b> title'\nauthors: [A]\ndate: 2020\ncategory: CV\n---\nAbstract <b>bold</b>.\n",
        }
    )
    (entry,) = model_of(root).entries
    assert "<b>" not in entry.title_html and "&lt;b&gt;bold&lt;/b&gt;" in entry.title_html
    assert "<b>bold</b>" in entry.abstract_html  # the site opted in for bios and abstracts


def test_a_long_listing_is_split_into_pages_that_declare_only_their_papers(make_site):
    from generator.model import LISTING_FULL, PAGE_SIZE

    count = max(2 * PAGE_SIZE + 1, LISTING_FULL + 1)  # three pages: the last holds one paper
    root = make_site({f"content/papers/p{i:03d}.md": paper(f"P{i:03d}", f"2020-01-{1 + i % 28:02d}") for i in range(count)})
    model = model_of(root)
    (group,) = model.by_category
    assert group.pages == ("/categories/cv/", "/categories/cv/page/2/", "/categories/cv/page/3/")
    listings = [model.listings[url] for url in group.pages]
    assert [e for listing in listings for e in listing.entries] == list(group.entries)
    assert [len(listing.entries) for listing in listings][:2] == [PAGE_SIZE, PAGE_SIZE]
    assert not any(listing.abstracts for listing in listings)
    assert (listings[1].previous, listings[1].next) == (group.pages[0], group.pages[2])
    pages = {p.url: p for p in model.pages}
    second = {e.paper.source for e in listings[1].entries}
    assert set(pages["/categories/cv/page/2/"].inputs) == {"content/profile.md"} | second
    assert pages["/categories/cv/page/2/"].kind == "category"
    assert len(model.home.entries) < count and not model.home.abstracts


def test_a_page_of_a_long_listing_links_the_ends_and_its_neighbours_whatever_the_length():
    """The numbered links between pages: the first, the last and two on either side of the page,
    in order, with "…" (None) only for two or more pages left out; never more than nine, so a
    listing page stays the same size in a category of 10 pages or of 1,000."""
    from generator.model import Listing

    for count in (1, 2, 5, 7, 8, 9, 10, 40, 1000):
        pages = tuple(f"/years/2020/page/{n}/" for n in range(1, count + 1))
        for number in range(1, count + 1):
            shown = Listing(None, (), number, pages, False).pager
            numbers = [link.number for link in shown if link is not None]
            assert numbers == sorted(set(numbers)) and all(link.url == pages[link.number - 1] for link in shown if link)
            assert {1, count, *range(max(1, number - 2), min(count, number + 2) + 1)} <= set(numbers)
            assert len(shown) <= 9
            for i, link in enumerate(shown):
                if link is None:  # between two numbers, standing for at least two pages
                    assert shown[i - 1] is not None and shown[i + 1] is not None
                    assert shown[i + 1].number - shown[i - 1].number > 2
                elif i and shown[i - 1] is not None:
                    assert link.number == shown[i - 1].number + 1
            if count <= 9:
                assert numbers == list(range(1, count + 1))  # a short listing links every page


def test_a_short_listing_is_one_page_with_abstracts(make_site):
    root = make_site({f"content/papers/p{i}.md": paper(f"P{i}", "2020") for i in range(3)})
    model = model_of(root)
    assert model.home.abstracts and len(model.home.entries) == 3
    assert model.by_year[0].pages == ("/years/2020/",) and model.listings["/years/2020/"].abstracts


def shown_line(make_site, authors, et_al=False, short=True):
    extra = "et_al: true\n" if et_al else ""
    root = make_site({"content/papers/a.md": paper("A", "2020", authors=authors, extra=extra)})
    (entry,) = model_of(root).entries
    line = entry.short_author_line if short else entry.author_line
    names = ["…" if a is None else (f"*{a.name}*" if a.is_site_author else a.name) for a in line.names]
    return ", ".join(names), line.total, line.et_al


def test_a_long_author_list_keeps_the_site_author_where_they_stand(make_site):
    others = [f"Author {i}" for i in range(1, 12)]
    authors = others[:6] + ["Ada Lovelace"] + others[6:]  # 12 authors, Ada 7th
    assert shown_line(make_site, f"[{', '.join(authors)}]") == ("Author 1, Author 2, Author 3, …, *Ada Lovelace*, …", 12, False)
    last = others + ["Ada Lovelace"]
    assert shown_line(make_site, f"[{', '.join(last)}]") == ("Author 1, Author 2, Author 3, …, *Ada Lovelace*", 12, False)
    fourth = others[:3] + ["Ada Lovelace"] + others[3:]
    assert shown_line(make_site, f"[{', '.join(fourth)}]")[0] == "Author 1, Author 2, Author 3, *Ada Lovelace*, …"
    second = ["Author 1", "Ada Lovelace", *others[1:]]
    assert shown_line(make_site, f"[{', '.join(second)}]") == ("Author 1, *Ada Lovelace*, Author 2, …", 12, False)
    # the paper's own page lists everyone
    assert shown_line(make_site, f"[{', '.join(authors)}]", short=False)[0].count(",") == 11


def test_et_al_never_hides_the_site_author(make_site):
    text, total, et_al = shown_line(make_site, "[Charles Babbage, Mary Somerville, John Herschel, Michael Faraday]", et_al=True)
    assert text == "Charles Babbage, Mary Somerville, John Herschel, …, *Ada Lovelace*, …" and total is None and not et_al
    text, _, _ = shown_line(make_site, "[Charles Babbage, Mary Somerville]", et_al=True, short=False)
    assert text == "Charles Babbage, Mary Somerville, …, *Ada Lovelace*, …"
    # listed and truncated: the record's own "et al."
    assert shown_line(make_site, "[Ada Lovelace, Charles Babbage]", et_al=True) == ("*Ada Lovelace*, Charles Babbage", None, True)


def test_short_author_lists_are_shown_whole(make_site):
    assert shown_line(make_site, "[Ada Lovelace, Charles Babbage]") == ("*Ada Lovelace*, Charles Babbage", None, False)


def test_featured_papers_newest_first_and_the_home_page_declares_them(make_site):
    from generator.model import LISTING_FULL

    files = {f"content/papers/p{i:03d}.md": paper(f"P{i:03d}", f"20{10 + i % 15}-01-01") for i in range(LISTING_FULL + 5)}
    files["content/papers/old.md"] = paper("Old", "2001", extra="featured: true\n")
    files["content/papers/new.md"] = paper("New", "2009", extra="featured: true\n")
    model = model_of(make_site(files))
    assert [e.paper.title for e in model.featured] == ["New", "Old"]
    home = next(p for p in model.pages if p.kind == "home")
    assert {"content/papers/old.md", "content/papers/new.md"} <= set(home.inputs)
    assert len(home.inputs) < LISTING_FULL  # a long home page shows only its newest papers


def test_newest_first_orders_by_date_then_title_ignoring_case_then_slug():
    """The order of every listing and of the CV: newest date first (2024-03 counts as newer than
    2024), same date by title regardless of case, same title by slug."""
    from types import SimpleNamespace

    from hypothesis import given
    from hypothesis import strategies as st

    from generator.model import newest_first
    from generator.records import PartialDate

    dates = st.builds(PartialDate, st.integers(2020, 2022), st.integers(0, 2), st.integers(0, 2))
    papers = st.lists(st.tuples(dates, st.sampled_from(["alpha", "Alpha", "beta", "Beta", "ä"]), st.text("ab", min_size=1, max_size=3)))

    @given(papers)
    def check(items):
        ordered = newest_first([SimpleNamespace(date=d, title=t, slug=s) for d, t, s in items])
        assert len(ordered) == len(items)
        for a, b in zip(ordered, ordered[1:]):
            assert a.date > b.date or (a.date == b.date and (a.title.casefold(), a.slug) <= (b.title.casefold(), b.slug))

    check()


def test_entries_made_by_workers_equal_those_made_here_and_share_their_authors(make_site, monkeypatch):
    """Entries made in forked workers come back as copies; each author is then held once for the
    whole site (the site's owner is on every paper), with the same entries as made here."""
    from generator import parallel

    monkeypatch.setattr(parallel, "MIN_ITEMS", 2)
    authors = "[Ada Lovelace, Grace Hopper, A1, A2, A3, A4, A5, Charles Babbage]"  # long: the short line leaves some out
    root = make_site({f"content/papers/p{i}.md": paper(f"Paper {i}", f"2020-01-{i + 1:02d}", authors=authors) for i in range(6)})
    site = validate_site(load_site(root))
    here, apart = build_model(site, jobs=1), build_model(site, jobs=2)
    assert apart.entries == here.entries
    owner = {id(a) for e in apart.entries for a in e.authors if a.is_site_author}
    assert len(owner) == 1
    lines = [a for e in apart.entries for line in (e.author_line, e.short_author_line) for a in line.names if a is not None]
    assert {id(a) for a in lines if a.is_site_author} == owner
