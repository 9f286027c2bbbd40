"""The papers-per-year chart: inline SVG drawn at build time, on the home and years pages, whose
bars and table agree with the records."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import html5lib
import yaml

REPO = Path(__file__).resolve().parents[2]
SVG = "{http://www.w3.org/2000/svg}"


def records() -> list[dict]:
    return [yaml.safe_load(p.read_text(encoding="utf-8").split("---\n")[1]) for p in (REPO / "content/papers").glob("*.md")]


def test_the_chart_and_its_table_count_every_paper_per_year(example_site):
    per_year = Counter(int(str(r["date"])[:4]) for r in records())
    for page in ("index.html", "years/index.html"):
        tree = html5lib.parse((example_site / page).read_bytes(), treebuilder="lxml")
        (svg,) = tree.iter(f"{SVG}svg")
        assert svg.get("role") == "img" and svg.find(f"{SVG}title").text.startswith("Papers per year")
        rows = {}
        for tr in tree.iter("{http://www.w3.org/1999/xhtml}tr"):
            cells = ["".join(c.itertext()) for c in tr]
            if cells[0].isdigit():
                rows[int(cells[0])] = [int(c) for c in cells[1:]]
        years = range(min(per_year), max(per_year) + 1)
        assert sorted(rows) == list(years)
        assert {y: row[-1] for y, row in rows.items()} == {y: per_year.get(y, 0) for y in years}
        assert all(sum(row[:-1]) == row[-1] for row in rows.values())
        # bar heights are proportional to the counts
        rects = [r for r in svg.iter(f"{SVG}rect")]
        assert len(rects) == sum(1 for row in rows.values() for n in row[:-1] if n)
        unit = {round(float(r.get("height")) / n, 3) for r, n in zip(rects, (n for y in years for n in rows[y][:-1] if n))}
        assert len(unit) == 1, unit
