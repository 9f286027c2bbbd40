"""Profile metrics the records can give: `auto` h-index and citations from the papers' counts."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from .records import Metrics, Paper

AUTO = "auto"


def h_index(counts: Iterable[int]) -> int:
    """The largest h such that h papers have at least h citations each."""
    ranked = sorted(counts, reverse=True)
    return sum(1 for rank, cited in enumerate(ranked, start=1) if cited >= rank)


def resolve_metrics(metrics: Metrics, papers: Iterable[Paper]) -> Metrics:
    """metrics with every `auto` replaced by what the papers' citations fields give.

    Numbers written by hand are kept as they are. computed names what was computed and
    computed_from how many papers had a count (papers without one count as uncited).
    """
    auto_h, auto_citations = metrics.h_index == AUTO, metrics.citations == AUTO
    if not (auto_h or auto_citations):
        return metrics
    counts = [p.citations for p in papers if p.citations is not None]
    return dataclasses.replace(
        metrics,
        h_index=h_index(counts) if auto_h else metrics.h_index,
        citations=sum(counts) if auto_citations else metrics.citations,
        computed="h-index and citations" if auto_h and auto_citations else "h-index" if auto_h else "Citations",
        computed_from=len(counts),
    )
