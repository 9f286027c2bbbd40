"""A site that fills in every optional field the example site leaves empty (photo, headline,
profile links, a Markdown bio, venue, tags, citations, every link kind, math, a table, a code
block, long URLs), so the theme's checkers see every part of every template."""

from __future__ import annotations

from pathlib import Path

RICH_PAPER = "papers/rich-record/"

FILES = {
    "site.yaml": "title: Ada Lovelace\nauthor: Ada Lovelace\ncategories:\n  QC: Quantum Computing\n",
    "static/me.svg": (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" fill="#7a8fa6"/>'
        '<circle cx="32" cy="24" r="12" fill="#dfe6ee"/><path d="M10 60c2-14 12-20 22-20s20 6 22 20z" fill="#dfe6ee"/></svg>\n'
    ),
    "content/profile.md": """\
---
name: Ada Lovelace
headline: Associate Professor of Computer Science
affiliation: University of London
photo: me.svg
email: ada.lovelace.with.a.long.address@analytical-engine.example.org
links:
  Google Scholar: https://scholar.google.com/citations?user=example
  ORCID: https://orcid.org/0000-0002-1825-0097
  GitHub: https://github.com/example
metrics:
  h_index: 12
  citations: 34567
  novelty: 80
  ai_score: 77
---
I work on **analytical engines** and *computing machinery*: see [my notes](https://example.org/notes) and
<https://example.org/a/very/long/address/that/must/wrap/instead/of/making/the/page/scroll/sideways/on/a/phone>.

- Area chair, CVPR 2025
- Associate editor, `IEEE TPAMI`

> A quotation in the bio.
""",
    "content/papers/rich-record.md": """\
---
title: 'Rich Record: $\\alpha$-Divergence Training with \\emph{Everything} Filled In and a Title That Wraps'
authors: [Charles Babbage, Ada Lovelace, Grace Hopper, Alan Turing]
et_al: true
date: 2024-06-01
category: CV
affiliation: University of London
venue: CVPR 2024 (Oral)
links:
  code: https://github.com/example/rich
  pdf: https://example.org/rich.pdf
  arxiv: https://arxiv.org/abs/2406.00001
  doi: https://doi.org/10.1000/xyz123
  project: https://example.org/rich
  slides: https://example.org/rich-slides.pdf
  video: https://example.org/rich.mp4
score: 91.5
citations: 1234
tags: [anomaly detection, video, self-supervised learning]
featured: true
---
We minimise $D_\\alpha(p \\| q)$ and report a 3.5% gain, where

$$\\sum_{i=1}^{n} x_i^2 \\le 1$$

A long link: https://example.org/a/very/long/address/that/must/wrap/instead/of/making/the/page/scroll/sideways

| Method | Score | Notes |
|---|---|---|
| Ours | 91.5 | a_rather_long_cell_value_without_any_spaces_in_it_at_all_anywhere |

```
code_block_with_a_very_long_line_that_must_not_make_the_page_scroll_sideways_on_a_phone = 1
```
""",
    "content/papers/bare.yaml": "title: A Bare Record\nauthors: [Ada Lovelace]\ndate: 2019\ncategory: QC\n",
    "content/papers/stat.md": (
        "---\ntitle: Another Year\nauthors: [B. Author, Ada Lovelace]\ndate: 2021-03\ncategory: stat.ML\nscore: 3\n"
        "links:\n  code: https://github.com/example/other\n---\nShort abstract on Straßenverkehr.\n"
    ),
}


def write_rich_site(root: Path) -> Path:
    for rel, text in FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
