"""Interface text: one message catalogue per language (generator/data/strings/<language>.yaml),
chosen by `language` in site.yaml and never by the process locale, so every machine builds the
same bytes; a site rewords single strings under `strings` in site.yaml.

Strings may hold placeholders in braces ({n}, {name}); `fill` puts values in. Dates, month names
and counts ("1 paper", "2 papers") are formatted here from the catalogue, never by strftime.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from importlib import resources
from types import MappingProxyType
from typing import TYPE_CHECKING

import yaml

if TYPE_CHECKING:
    from .records import PartialDate

LANGUAGES = ("en", "zh", "zh-Hant")  # the catalogues cvsite ships; any other language gets English text
TRADITIONAL_REGIONS = frozenset({"tw", "hk", "mo"})  # Chinese written in Traditional characters by default
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _load(language: str) -> Mapping[str, str]:
    text = resources.files("generator").joinpath(f"data/strings/{language}.yaml").read_text("utf-8")
    found = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml's parser: the same data, 10x faster
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in found.items()):  # YAML reads `No` as false
        raise ValueError(f"data/strings/{language}.yaml: every id and string must be text")
    return MappingProxyType(found)


CATALOGUES: Mapping[str, Mapping[str, str]] = MappingProxyType({language: _load(language) for language in LANGUAGES})
ENGLISH = CATALOGUES["en"]
CHINESE = CATALOGUES["zh"]
TRADITIONAL_CHINESE = CATALOGUES["zh-Hant"]
MESSAGE_IDS = tuple(ENGLISH)  # en.yaml's order: the ids a site may override


def placeholders(message: str) -> set[str]:
    return set(PLACEHOLDER.findall(message))


def catalogue(language: str) -> Mapping[str, str]:
    """The catalogue for a language tag by its primary subtag ('zh-CN' -> 'zh'); English otherwise.
    Chinese comes in its script: Traditional for the Hant script or, with no script given, for
    Taiwan, Hong Kong and Macao ('zh-TW', 'zh-Hant', 'zh-Hant-HK'); Simplified otherwise."""
    subtags = language.lower().replace("_", "-").split("-")
    if subtags[0] == "zh" and "hans" not in subtags and ("hant" in subtags or TRADITIONAL_REGIONS.intersection(subtags[1:])):
        return TRADITIONAL_CHINESE
    return CATALOGUES.get(subtags[0], ENGLISH)


@functools.lru_cache(maxsize=8)
def _messages(language: str, overrides: tuple[tuple[str, str], ...]) -> Mapping[str, str]:
    return MappingProxyType({**ENGLISH, **catalogue(language), **dict(overrides)})


def messages(language: str, overrides: Mapping[str, str] = MappingProxyType({})) -> Mapping[str, str]:
    """The interface text of a site: its language's catalogue, English for anything it lacks,
    then the site's own strings."""
    return _messages(language, tuple(sorted(overrides.items())))


def fill(message: str, **values: object) -> str:
    """The message with its {placeholders} replaced; braces around other words are left as written."""
    found = []
    for before, name in _parts(message):
        found.append(before)
        if name:
            found.append(str(values[name]) if name in values else f"{{{name}}}")
    return "".join(found)


@functools.lru_cache(maxsize=4096)
def _parts(message: str) -> tuple[tuple[str, str], ...]:
    """The message as (text, the placeholder after it; '' at the end): split once per message
    rather than searched on every use (pages fill a few strings per paper, 200,000 at 10,000 papers)."""
    parts, start = [], 0
    for match in PLACEHOLDER.finditer(message):
        parts.append((message[start : match.start()], match.group(1)))
        start = match.end()
    parts.append((message[start:], ""))
    return tuple(parts)


def text(t: Mapping[str, str], key: str, **values: object) -> str:
    return fill(t[key], **values)


def count(t: Mapping[str, str], key: str, n: int) -> str:
    """'1 paper', '1,234 papers': the key's _one form for exactly one, its _other form otherwise."""
    return fill(t[f"{key}_one" if n == 1 else f"{key}_other"], n=f"{n:,}" if isinstance(n, int) else n)


def date(t: Mapping[str, str], value: PartialDate) -> str:
    """A date as precise as the record gives it: '2024', 'Mar 2024', 'Mar 5, 2024' (2024年3月5日)."""
    if not value.month:
        return str(value.year)
    month = t[f"month_{value.month}"]
    if not value.day:
        return fill(t["date_month"], month=month, year=value.year)
    return fill(t["date_day"], month=month, day=value.day, year=value.year)
