"""The sites the page checks (axe, the Nu checker, Lighthouse) build, in each built-in theme.

- example: this repository's own site (27 papers, no CV sections), as published;
- rich: every optional field of a record filled in (photo, bio, math, tables, code);
- full-cv: what `cvsite new` writes, whose content/cv.yaml fills every CV section;
- long: 70 papers in two years, so the home page lists only the newest and year pages are paginated.

Not in SITES (each of whose pages the Nu checker reads): paged, 300 papers in one year, whose year
listing has ten pages, so that a middle page's links leave pages out ("…").
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from .big_site import write_big_site
from .rich_site import write_rich_site

REPO = Path(__file__).resolve().parents[2]
THEMES = ("default", "classic")
SITES = ("example", "rich", "full-cv", "long")


def write_site(name: str, root: Path, theme: str = "default") -> Path:
    """Write the test site `name` into root (a new folder) with site.yaml's theme set to theme."""
    if name == "example":
        root.mkdir(parents=True)
        shutil.copy(REPO / "site.yaml", root / "site.yaml")
        # only the site's own files: the checkout's templates/ and themes/ are cvsite's built-in
        # ones, which as a site's templates/ would win over any theme's
        shutil.copytree(REPO / "content", root / "content")
    elif name == "rich":
        write_rich_site(root)
    elif name == "full-cv":
        from generator.scaffold import Requirement, create_site

        create_site(root, Requirement("cvsite"))
    elif name == "long":
        write_big_site(root, 70, years=2)
    elif name == "paged":
        write_big_site(root, 300, years=1)
    else:
        raise ValueError(f"no test site {name!r}")
    config = root / "site.yaml"
    text = config.read_text(encoding="utf-8")
    if re.search(r"(?m)^theme:", text):
        text = re.sub(r"(?m)^theme:.*$", f"theme: {theme}", text)
    else:
        text = text.rstrip("\n") + f"\ntheme: {theme}\n"
    config.write_text(text, encoding="utf-8")
    return root
