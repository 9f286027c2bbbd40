"""Papers per year, stacked by category, laid out at build time as plain numbers for an inline SVG
(templates/partials/chart.html draws it; no JavaScript). The largest categories get a colour
each and the rest are summed as "Other", so the chart stays readable and small at any size."""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from .model import SiteModel

COLOURS = 5  # categories with a colour of their own; the rest are "Other"
WIDTH, HEIGHT = 640, 220  # the SVG's coordinate system; it scales to its box
LEFT, BOTTOM, TOP = 34, 22, 12  # room for the axis labels


@dataclass(frozen=True)
class Segment:
    x: float
    y: float
    width: float
    height: float
    series: int  # index into Chart.series (colour)


@dataclass(frozen=True)
class Chart:
    series: tuple[tuple[str, str], ...]  # (short code, name) per colour; the last may be ("Other", ...)
    other: bool  # the last series sums the smaller categories (the page names it in its language)
    years: tuple[int, ...]  # oldest first, every year from the first to the last
    counts: tuple[tuple[int, ...], ...]  # per year, per series
    segments: tuple[Segment, ...]
    year_labels: tuple[tuple[float, str], ...]  # (x centre, text), thinned out when there are many years
    top: int  # the value of the highest gridline
    gridlines: tuple[tuple[float, int], ...]  # (y, value)


_made: dict[int, Chart | None] = {}  # id of a model -> its chart, while the model lives


def papers_per_year(model: SiteModel) -> Chart | None:
    """The chart of a model, made once per model: counting every paper is most of the time the
    home page takes at 10,000 papers."""
    if id(model) not in _made:
        _keep(model, _papers_per_year(model))
    return _made[id(model)]


def carry(old: SiteModel, new: SiteModel) -> None:
    """new has the same papers per year and category, and the same categories, as old (the
    preview's edit of papers that keep their year and category): its chart is old's."""
    if id(old) in _made:
        _keep(new, _made[id(old)])


def _keep(model: SiteModel, chart: Chart | None) -> None:
    _made[id(model)] = chart
    weakref.finalize(model, _made.pop, id(model), None)  # before the id can be another model's


def _papers_per_year(model: SiteModel) -> Chart | None:
    if not model.entries:
        return None
    ranked = list(model.by_category)  # most papers first
    named = ranked if len(ranked) <= COLOURS + 1 else ranked[:COLOURS]  # six colours: "Other" only for two or more
    series = [(g.key, g.label) for g in named]
    if len(ranked) > len(named):
        series.append(("Other", "Other categories"))
    index = {g.key: i for i, g in enumerate(named)}
    first, last = model.by_year[-1].key, model.by_year[0].key
    years = tuple(range(int(first), int(last) + 1))
    counts = {y: [0] * len(series) for y in years}
    for entry in model.entries:
        counts[entry.paper.date.year][index.get(entry.paper.category.short, len(series) - 1)] += 1
    highest = max(sum(c) for c in counts.values())
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000) if highest / s <= 5) if highest > 5 else 1
    top = -(-highest // step) * step
    plot_w, plot_h = WIDTH - LEFT - 4, HEIGHT - BOTTOM - TOP
    slot = plot_w / len(years)
    bar = slot * 0.7
    segments, labels = [], []
    every = -(-len(years) // 12)  # at most about 12 year labels
    for i, year in enumerate(years):
        x = LEFT + i * slot + (slot - bar) / 2
        base: float = HEIGHT - BOTTOM
        for s, n in enumerate(counts[year]):
            if n:
                h = plot_h * n / top
                base -= h
                segments.append(Segment(round(x, 2), round(base, 2), round(bar, 2), round(h, 2), s))
        if (len(years) - 1 - i) % every == 0:
            labels.append((round(x + bar / 2, 2), str(year)))
    grid = tuple((round(HEIGHT - BOTTOM - plot_h * v / top, 2), v) for v in range(0, top + 1, step))
    return Chart(
        tuple(series), len(ranked) > len(named), years, tuple(tuple(counts[y]) for y in years), tuple(segments), tuple(labels), top, grid
    )
