"""Interface text: one message catalogue per language, chosen by `language` in site.yaml (never by
the process locale, so every machine builds the same bytes), with single strings overridable
under `strings` in site.yaml."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

ENGLISH: Mapping[str, str] = MappingProxyType(
    {
        # what the numbers mean: the profile metrics and the per-paper score
        "note_h_index": "The largest h such that h papers have at least h citations each.",
        "note_papers": "Papers listed on this site.",
        "note_citations": "Total citations of all papers, as counted by the owner's citation profile.",
        "note_novelty": "How new the work's ideas are, as estimated by the owner (0–100%).",
        "note_ai_score": "An automated rating of the body of work, from 0 to 100.",
        "note_score": "A per-paper rating given by the site's owner (higher is better).",
        "numbers_explained": "What these numbers mean",
        "theme": "Colour scheme",
        "theme_light": "Light",
        "theme_dark": "Dark",
        "theme_system": "System",
    }
)

CHINESE: Mapping[str, str] = MappingProxyType(
    {
        "note_h_index": "有 h 篇论文各自被引用至少 h 次的最大 h 值。",
        "note_papers": "本站列出的论文数。",
        "note_citations": "全部论文的总引用次数，以作者的引用档案为准。",
        "note_novelty": "作者估计的研究新颖程度（0–100%）。",
        "note_ai_score": "对全部研究工作的自动评分，0 到 100。",
        "note_score": "站点作者给出的单篇论文评分（越高越好）。",
        "numbers_explained": "这些数字的含义",
        "theme": "配色",
        "theme_light": "浅色",
        "theme_dark": "深色",
        "theme_system": "跟随系统",
    }
)

CATALOGUES: Mapping[str, Mapping[str, str]] = MappingProxyType({"en": ENGLISH, "zh": CHINESE})
MESSAGE_IDS = tuple(ENGLISH)


def catalogue(language: str) -> Mapping[str, str]:
    """The catalogue for a language tag by its primary subtag ('zh-CN' -> 'zh'); English otherwise."""
    return CATALOGUES.get(language.split("-")[0].lower(), ENGLISH)


def messages(language: str, overrides: Mapping[str, str]) -> Mapping[str, str]:
    """The interface text of a site: its language's catalogue, English for anything it lacks,
    then the site's own strings."""
    return MappingProxyType({**ENGLISH, **catalogue(language), **overrides})
