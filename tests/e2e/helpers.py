"""Reading a built site the way a browser and a crawler would."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin, urlsplit

import html5lib

_PAPER_TEMPLATE = Path(__file__).resolve().parents[2] / "templates" / "paper.html"
# The one script cvsite writes besides JSON-LD data: the Cite block's copy button, as in the template.
CITE_SCRIPT = _PAPER_TEMPLATE.read_text(encoding="utf-8").split("<script>", 1)[1].split("</script>", 1)[0]


def html_pages(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def page_url(out: Path, file: Path, prefix: str = "/") -> str:
    rel = file.relative_to(out).as_posix()
    rel = rel[: -len("index.html")] if rel.endswith("index.html") else rel
    return f"http://site.test{prefix}{rel}"


def parse_strict(file: Path):
    """Parse as a browser would, failing on any HTML parse error."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    return parser.parse(file.read_bytes())


def links(tree) -> list[str]:
    found = []
    for element in tree.iter():
        for attr in ("href", "src"):
            if attr in element.attrib:
                found.append(element.attrib[attr])
    return found


def resolve(out: Path, base: str, link: str, prefix: str = "/") -> Path | None:
    """The file a link on a page served under prefix points at, or None for external links."""
    if link.startswith("#"):
        return None  # an anchor on the same page
    target = urlsplit(urljoin(base, link))
    if target.netloc != "site.test":
        return None
    assert target.path.startswith(prefix), f"{link!r} on {base} leaves the site's prefix {prefix}"
    rel = target.path[len(prefix) :]
    path = out / rel
    return path / "index.html" if rel == "" or rel.endswith("/") else path


def without_cite(tree):
    """The page without its Cite block, whose BibTeX shows the record's text as written."""
    for parent in list(tree.iter()):
        for child in list(parent):
            if child.attrib.get("class") == "cite":
                parent.remove(child)
    return tree


def is_cite_script(element) -> bool:
    """The template's own copy-button script, exactly: anything else in a <script> is suspect."""
    return element.attrib == {} and (element.text or "") == CITE_SCRIPT
