"""Bibliography export: citation keys, BibTeX escaping, and every format read back by its own parser."""

from __future__ import annotations

import json
from pathlib import Path
from types import MappingProxyType

import bibtexparser
import jsonschema
import pytest
import rispy
from bibtexparser.middlewares import (
    MonthIntMiddleware,
    SeparateCoAuthors,
    SplitNameParts,
)

from generator import bibliography as b
from generator.fields import PAPER
from generator.records import Category, Paper, PartialDate

CSL_SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "fixtures/csl/csl-data.json").read_text("utf-8"))


SEPT_19 = PartialDate(2023, 9, 19)


def make(slug="p", title="A Paper", authors=("Ada Lovelace",), date=SEPT_19, **more) -> Paper:
    if "extra" in more:
        more["extra"] = MappingProxyType(more["extra"])
    if "links" in more:
        more["links"] = tuple(more["links"].items())
    return Paper(
        slug=slug,
        title=title,
        authors=tuple(authors),
        date=date,
        category=Category("cs.CL", "Computation and Language"),
        source=f"content/papers/{slug}.md",
        **more,
    )


FULL = make(
    slug="full",
    title="Baichuan 2: Open Large-scale Language Models & 100% of #1_best",
    authors=("Aiyuan Yang", "Bin Xiao"),
    et_al=True,
    venue="Proc. of NeurIPS & Friends",
    abstract="We reach 95% on $x_1 \\& y$ with _emphasis_.",
    links={
        "arxiv": "https://arxiv.org/abs/2309.10305v3",
        "doi": "https://doi.org/10.1000/xyz_1",
        "pdf": "https://example.org/p.pdf",
        "code": "https://github.com/example/code",
        "project": "https://example.org/project",
    },
    tags=("language models", "open source"),
    extra={"entry_type": "inproceedings"},
)


def parse_bibtex(text: str):
    library = bibtexparser.parse_string(text, append_middleware=[SeparateCoAuthors(), SplitNameParts(), MonthIntMiddleware()])
    assert not library.failed_blocks, [blk.error for blk in library.failed_blocks]
    return library


# -- citation keys --------------------------------------------------------------------------


def test_key_is_family_name_year_and_first_significant_title_word():
    assert b.base_key(make(title="Baichuan 2: Open Large-scale Language Models", authors=["Aiyuan Yang"])) == "yang2023baichuan"
    assert b.base_key(make(title="A Survey on Diffusion Models", authors=["Jing Liu"])) == "liu2023survey"
    assert b.base_key(make(title='On the {\\"O}rder of Things', authors=["Zoë Müller-Łukasiewicz"])) == "mullerlukasiewicz2023order"
    assert b.base_key(make(authors=["Ludwig van Beethoven"])) == "beethoven2023paper"
    assert b.base_key(make(authors=["{OpenAI Team}"])) == "team2023paper"


def test_colliding_keys_are_suffixed_in_slug_order_whatever_the_input_order():
    papers = [make(slug=s, title="Learning Things", authors=["Wei Liu"]) for s in ("c", "a", "b")]
    keys = b.citation_keys(papers)
    assert keys == {"a": "liu2023learning", "b": "liu2023learningb", "c": "liu2023learningc"}
    assert b.citation_keys(reversed(papers)) == keys


def test_a_records_own_key_wins_and_others_give_way_to_it():
    own = make(slug="z", title="Other", extra={"citation_key": "liu2023learning"})
    auto = make(slug="a", title="Learning Things", authors=["Wei Liu"])
    assert b.citation_keys([own, auto]) == {"z": "liu2023learning", "a": "liu2023learningb"}


def test_keys_are_unique_across_a_site():
    papers = [make(slug=f"p{i}", title="Same Title", authors=["Wei Liu"]) for i in range(40)]
    assert len(set(b.citation_keys(papers).values())) == 40


# -- BibTeX ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "escaped"),
    [
        ("Fish & Chips 100% #1 a_b", "Fish \\& Chips 100\\% \\#1 a\\_b"),
        ("math $x_1 \\& 50%$ stays", "math $x_1 \\& 50%$ stays"),
        ("already \\& escaped \\emph{x}", "already \\& escaped \\emph{x}"),
        ("Ünïcødé — kept", "Ünïcødé — kept"),
        ("costs $5 & more", "costs \\$5 \\& more"),
        ("stray } and { braces", "stray \\} and \\{ braces"),
        ("{Case} {kept}", "{Case} {kept}"),
    ],
)
def test_latex_specials_are_escaped_outside_math(written, escaped):
    assert b.latex_escape(written) == escaped


def test_bibtex_carries_every_field_of_the_shared_mapping():
    text = b.bibtex([FULL], {"full": "yang2023baichuan"})
    (entry,) = parse_bibtex(text).entries
    fields = entry.fields_dict
    assert (entry.entry_type, entry.key) == ("inproceedings", "yang2023baichuan")
    assert fields["title"].value == "Baichuan 2: Open Large-scale Language Models \\& 100\\% of \\#1\\_best"
    assert [n.last for n in fields["author"].value] == [["Yang"], ["Xiao"], ["others"]]
    assert fields["year"].value == "2023" and fields["month"].value == 9 and fields["date"].value == "2023-09-19"
    assert "month = sep," in text  # the macro, unbraced
    assert fields["booktitle"].value == "Proc. of NeurIPS \\& Friends" and "journal" not in fields
    assert fields["eprint"].value == "2309.10305" and fields["archivePrefix"].value == "arXiv"
    assert fields["primaryClass"].value == "cs.CL"
    assert fields["doi"].value == "10.1000/xyz_1"
    assert fields["pdf"].value == "https://example.org/p.pdf" and fields["code"].value == "https://github.com/example/code"
    assert fields["url"].value == "https://example.org/project"
    assert fields["keywords"].value == "language models, open source"
    assert fields["abstract"].value == "We reach 95\\% on $x_1 \\& y$ with \\_emphasis\\_."


def test_every_bibtex_field_the_field_table_names_is_written():
    """The README's export table comes from the field table: each `name` it gives must be written."""
    as_article = make(
        **{
            **{k: getattr(FULL, k) for k in ("slug", "title", "authors", "venue", "abstract", "tags", "et_al")},
            "links": dict(FULL.links),
            "extra": {"entry_type": "article"},
        }
    )
    written = set()
    for paper in (FULL, as_article):
        written |= {name.lower() for name in parse_bibtex(b.bibtex([paper], {"full": "k"})).entries[0].fields_dict}
    for spec in PAPER.values():
        for name in spec.export.get("bibtex", "").split("`")[1::2]:
            assert name.lower() in written, f"{spec.name}: the table says BibTeX `{name}`, the export lacks it"


def test_entry_type_defaults_to_article_with_a_venue_and_misc_without():
    assert b.bibtex([make(venue="Nature")], {"p": "k"}).startswith("@article{k,")
    assert "journal = {Nature}" in b.bibtex([make(venue="Nature")], {"p": "k"})
    assert b.bibtex([make()], {"p": "k"}).startswith("@misc{k,")


def test_dates_keep_the_records_precision():
    year_only = parse_bibtex(b.bibtex([make(date=PartialDate(2021))], {"p": "k"})).entries[0].fields_dict
    assert year_only["year"].value == "2021" and "month" not in year_only and year_only["date"].value == "2021"
    month = parse_bibtex(b.bibtex([make(date=PartialDate(2021, 3))], {"p": "k"})).entries[0].fields_dict
    assert month["month"].value == 3 and month["date"].value == "2021-03"


def test_an_author_named_with_and_stays_one_author():
    (entry,) = parse_bibtex(b.bibtex([make(authors=["Smith and Wesson Lab", "Ada Lovelace"])], {"p": "k"})).entries
    assert len(entry["author"]) == 2


def test_hostile_text_cannot_break_out_of_its_field():
    nasty = make(title="}, author = {Mallory", abstract="} @misc{evil, title={x}")
    library = parse_bibtex(b.bibtex([nasty], {"p": "k"}))
    assert len(library.entries) == 1 and [a.last for a in library.entries[0]["author"]] == [["Lovelace"]]


def test_site_paths_become_absolute_with_a_base_url():
    paper = make(links={"pdf": "files/p.pdf"})
    assert "pdf = {https://example.org/cv/files/p.pdf}" in b.bibtex([paper], {"p": "k"}, "https://example.org/cv/")


# -- CSL-JSON and RIS ----------------------------------------------------------------------


def test_csl_json_validates_against_the_csl_schema_and_carries_the_mapping():
    papers = [FULL, make(slug="bare", date=PartialDate(2020)), make(slug="corp", authors=["{The Baichuan Team}"], venue="Nature")]
    items = json.loads(b.csl_json(papers, {"full": "yang2023baichuan", "bare": "lovelace2020paper", "corp": "team2023"}))
    jsonschema.validate(items, CSL_SCHEMA)
    full, bare, corp = items
    assert full["id"] == "yang2023baichuan" and full["type"] == "paper-conference"
    assert full["author"] == [{"family": "Yang", "given": "Aiyuan"}, {"family": "Xiao", "given": "Bin"}]
    assert full["issued"] == {"date-parts": [[2023, 9, 19]]} and bare["issued"] == {"date-parts": [[2020]]}
    assert full["container-title"] == "Proc. of NeurIPS & Friends" and full["DOI"] == "10.1000/xyz_1"
    assert full["URL"] == "https://arxiv.org/abs/2309.10305" and full["number"] == "arXiv:2309.10305"
    assert full["keyword"] == "language models, open source" and full["abstract"].startswith("We reach 95%")
    assert bare["type"] == "article" and "URL" not in bare
    assert corp["type"] == "article-journal" and corp["author"] == [{"literal": "The Baichuan Team"}]


def test_ris_reads_back_with_rispy():
    (record, bare) = rispy.loads(b.ris([FULL, make(slug="bare", date=PartialDate(2020, 4))], {"full": "yang2023baichuan", "bare": "k"}))
    assert record["type_of_reference"] == "CPAPER" and record["id"] == "yang2023baichuan"
    assert record["title"] == FULL.title and record["authors"] == ["Yang, Aiyuan", "Xiao, Bin"]
    assert record["date"] == "2023/09/19" and record["year"] == "2023"
    assert record["secondary_title"] == FULL.venue and record["doi"] == "10.1000/xyz_1"
    assert record["urls"] == ["https://arxiv.org/abs/2309.10305"] and record["file_attachments1"] == "https://example.org/p.pdf"
    assert record["keywords"] == ["language models", "open source"] and record["abstract"] == FULL.abstract
    assert bare["type_of_reference"] == "GEN" and bare["date"] == "2020/04"


def test_a_journal_article_names_its_journal_in_jo():
    (record,) = rispy.loads(b.ris([make(venue="Nature")], {"p": "k"}))
    assert record["type_of_reference"] == "JOUR" and record["journal_name"] == "Nature"


def test_names_split_into_family_and_given():
    assert b.split_name("Ludwig van Beethoven") == ("Ludwig", "van Beethoven", "")
    assert b.split_name("Martin Luther King Jr.") == ("Martin Luther", "King", "Jr.")
    assert b.split_name("Lovelace, Ada") == ("Ada", "Lovelace", "")
    assert b.split_name("Plato") == ("", "Plato", "")


@pytest.mark.parametrize(
    "abstract",
    [
        "",
        "One line.",
        'Lines\nand "quotes", a back\\slash, tabs\tand  spaces,\n\nparagraphs, $x_1$ and Ünïcödé 😀',
        "  starts and ends with blanks \n",
        "abstract",  # the mark's own word
    ],
)
def test_the_csl_item_and_ris_record_hold_the_papers_abstract_as_written_whole(abstract):
    # an export keeps the paper's abstract string once and writes it into the item and the record
    # as the files are joined: the same bytes as serialising the whole item and record at once
    paper = make(abstract=abstract, venue="Nature", links={"pdf": "https://example.org/p.pdf"})
    export = b.PaperExport.of(paper, "k")
    assert export.csl == json.dumps(b.csl_item(paper, "k"), ensure_ascii=False)
    assert export.ris == b.ris_entry(paper, "k")
    assert json.loads(export.csl).get("abstract", "") == abstract
    assert (rispy.loads(export.ris)[0].get("abstract") or "") == " ".join(abstract.split())
    assert export.abstract is paper.abstract  # held once, not copied into each format


def test_exports_made_by_workers_hold_their_papers_abstracts(tmp_path):
    from generator.load import load_site
    from generator.model import build_model
    from generator.validate import validate_site
    from tests.e2e.big_site import write_big_site

    site = validate_site(load_site(write_big_site(tmp_path / "site", 200), jobs=2))
    model = build_model(site, jobs=2)
    assert all(model.exports[e.paper.slug].abstract is e.paper.abstract for e in model.entries)
    alone = build_model(site, jobs=1)
    assert [model.exports[e.paper.slug] for e in model.entries] == [alone.exports[e.paper.slug] for e in alone.entries]


def test_a_ris_value_is_its_words_one_space_apart_whatever_its_spacing():
    import random

    rng = random.Random(7)
    pieces = ["word", "x", "é", "😀", " ", "  ", "\n", "\n\n", "\t", "\r\n", "\x0b", "\x0c", "\x1c", "\x1f", "\xa0", "\u2028", "\u3000"]
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        assert b._one_line(text) == " ".join(text.split()), repr(text)
