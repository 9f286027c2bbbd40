"""Site configuration (site.yaml); where cvsite finds its built-in templates and themes is builtin.py."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .builtin import builtin_dir  # noqa: F401  where it has always been imported from
from .cv_records import CvSettings


@dataclass(frozen=True)
class SiteConfig:
    title: str = ""
    base_url: str = ""  # absolute, ends with '/', or empty
    language: str = "en"
    theme: str = "default"
    author: str = ""  # the name highlighted in author lists; empty means the profile name
    categories: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    allow_html: bool = False
    feed_limit: int = 100  # newest papers in each Atom feed
    cname: str = ""  # custom domain for GitHub Pages, written to CNAME
    cv: CvSettings = field(default_factory=CvSettings)  # sections of /cv/, cv.pdf and resume.json
    strings: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))  # interface text overrides
    extra: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
