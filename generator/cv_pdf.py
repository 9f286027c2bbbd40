"""cv.pdf: the CV typeset by Typst (the `typst` package, the Typst compiler as a wheel).

Built with the site when the `pdf` extra is installed. The Typst template (templates/cv.typ,
which a site or theme may override) receives the CV as JSON data and shows every record text
as text, so record content can never become Typst markup or code. LaTeX math in titles is
translated to Typst math (typst_math.py); other LaTeX becomes Unicode.

Deterministic: the document date is the newest date in the content, system fonts are never
looked at (only Typst's bundled fonts and the CJK fonts found in FONT_DIRS), so two builds of
the same site on the same machine give the same bytes.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import re
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

# cvsite's other modules are imported where used: the pipeline asks available() on every build,
# even one that finds nothing changed and renders nothing, and the process compiling the PDF
# (Compilation) needs none of them.

INSTALL_HINT = "cv.pdf not built: install the pdf extra to get it (pip install 'cvsite[pdf]')"
CJK_HINT = (
    "cv.pdf has Chinese, Japanese or Korean text but no CJK font was found, so it shows empty boxes: "
    "install Noto CJK (Debian/Ubuntu: apt-get install fonts-noto-cjk)"
)
PAPER_SIZES = {"a4": "a4", "letter": "us-letter"}  # site.yaml's names -> Typst's
# Where CJK fonts are found: Debian/Ubuntu's fonts-noto-cjk (apt-get install fonts-noto-cjk),
# Fedora's google-noto-*-cjk fonts, Homebrew and macOS font folders.
FONT_DIRS = (
    "/usr/share/fonts/opentype/noto",
    "/usr/share/fonts/google-noto-cjk",
    "/usr/share/fonts/google-noto-sans-cjk-vf-fonts",
    "/usr/share/fonts/google-noto-serif-cjk-vf-fonts",
    "/opt/homebrew/share/fonts",
    "/Library/Fonts",
)
CJK_FAMILIES = ("Noto Serif CJK SC", "Noto Sans CJK SC", "Noto Serif CJK JP", "Noto Sans CJK JP")
_CJK_FILE = re.compile(r"Noto(Sans|Serif)CJK.*\.(ttc|otf|ttf)$")
_CJK_TEXT = re.compile(r"[\u1100-\u11ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")
_MATH = re.compile(r"(?<!\\)\$\$(.+?)\$\$|(?<!\\)\$(.+?)(?<!\\)\$", re.DOTALL)


def available() -> bool:
    return importlib.util.find_spec("typst") is not None


def cjk_fonts() -> list[str]:
    """The folders holding CJK fonts for names and titles (Typst reads fonts by folder)."""
    found: set[str] = set()
    for folder in FONT_DIRS:
        path = Path(folder)
        if path.is_dir():
            found.update(str(p.parent) for p in path.rglob("*") if _CJK_FILE.search(p.name))
    return sorted(found)


def _rich(source: str, math: bool = True) -> list[dict[str, str]]:
    """Text with $...$ formulas as parts: {text} and {math} (Typst math, or Unicode text)."""
    from .markup import latex_text

    parts: list[dict[str, str]] = []
    last = 0
    for match in _MATH.finditer(source):
        from . import typst_math  # on the first formula: it brings pylatexenc, which plain text does not need

        if match.start() > last:
            parts.append({"text": latex_text(source[last : match.start()])})
        tex = match.group(1) or match.group(2)
        converted = typst_math.to_typst(tex) if math else None
        parts.append({"math": converted} if converted else {"text": typst_math.to_text(tex)})
        last = match.end()
    if last < len(source):
        parts.append({"text": latex_text(source[last:])})
    return parts


def _link(target: str, base_url: str) -> str:
    """An absolute link for the PDF, or '' for a site path when the site's address is unknown."""
    from . import urls

    return target if urls.is_external(target) else urls.absolute(base_url, target)


def _links(items, base_url: str, t) -> list[dict[str, str]]:
    """Labels as the pages show them: the catalogue's for known kinds, others as written, capitalised."""
    out = []
    for kind, target in items:
        url = _link(target, base_url)
        if url:
            out.append({"label": t.get(f"link_{kind.lower()}", kind[:1].upper() + kind[1:]), "url": url})
    return out


def _newest_date(model) -> list[int] | None:
    """The document's date: the newest date anywhere in the content (never the build's time)."""
    from .records import PartialDate

    dates = [e.paper.date for e in model.entries]
    cv = model.cv.record
    for section in ("education", "positions", "awards", "grants", "talks", "students", "news"):
        for entry in getattr(cv, section):  # not ends: a grant may end in the future
            dates += [d for d in (getattr(entry, n, None) for n in ("date", "start")) if isinstance(d, PartialDate)]
    if not dates:
        return None
    newest = max(dates)
    return [newest.year, newest.month or 1, newest.day or 1]


# Where the papers go in the data as first written (see pdf_json): a string no record can hold
# (raw control characters are refused when records are read).
PAPERS = "\0cvsite-papers\0"


def pdf_data(model, math: bool = True, pieces: bool = False) -> dict[str, Any]:
    """Everything cv.typ shows, as plain JSON data (with pieces, the papers are left to pdf_json)."""
    from . import i18n, urls
    from .markup import render

    profile, base = model.profile, urls.absolute_base(model.config.base_url)
    t = i18n.messages(model.config.language, model.config.strings)
    contact = [{"label": profile.email, "url": f"mailto:{profile.email}"}] if profile.email else []
    contact += [{"label": label, "url": url} for label, target in profile.links if (url := _link(target, base))]
    if "://" in base:  # a path-only base_url (/repo/) says nothing a reader of the PDF could open
        contact.append({"label": base.split("://", 1)[1].rstrip("/"), "url": base})
    sections = []
    for section in model.cv.sections:
        item: dict[str, Any] = {"key": section.key, "title": section.title}
        if section.key == "publications":
            item["papers"] = [PAPERS] if pieces else [_paper(entry, base, math, t) for entry in model.entries]
        else:
            item["entries"] = [
                {
                    "title": _rich(e.title, math) if section.key != "news" else [{"text": e.title}],
                    "where": e.where,
                    "place": e.place,
                    "when": e.when,
                    "details": [
                        {"label": label, "prefix": i18n.fill(t["labelled"], label=label, text=""), "value": _rich(text, math)}
                        for label, _, text in e.details
                    ],
                    "note": render(e.note)[1] if e.note else "",
                    "links": _links(e.links, base, t),
                }
                for e in section.entries
            ]
        sections.append(item)
    return {
        "name": profile.name,
        "headline": profile.headline,
        "affiliation": profile.affiliation,
        "contact": contact,
        "sections": sections,
        "date": _newest_date(model),
        "paper": PAPER_SIZES[model.config.cv.pdf.paper],
        "lang": model.config.language.split("-")[0].lower(),
        "fonts": list(CJK_FAMILIES),
        "selected": sum(1 for e in model.entries if e.paper.featured),
        # interface text in the site's language (i18n.py): cv.typ holds none of its own
        "t": {
            "title": i18n.text(t, "cv_pdf_title", name=profile.name),
            "et_al": t["et_al"],
            "selected_legend": t["cv_pdf_selected_legend"],
        },
    }


def _paper(entry, base: str, math: bool, t) -> dict[str, Any]:
    from . import urls
    from .markup import latex_text

    paper = entry.paper
    page = urls.absolute(base, entry.url) or paper.link("doi") or paper.link("arxiv") or paper.link("pdf")
    return {
        "title": _rich(paper.title, math),
        "authors": [{"name": a.name, "me": a.is_site_author} for a in entry.authors],
        "et_al": paper.et_al,
        "venue": latex_text(paper.venue),
        "year": paper.date.year,
        "url": _link(page, base) if page else "",
        "selected": paper.featured,
        "links": _links(paper.links, base, t),
    }


def pdf_json(model, math: bool = True) -> str:
    """pdf_data as the JSON text Typst reads, with each paper's part made once and kept in the
    build cache (memo.py) under the hash of its entry and of what it depends on: after an edit
    only the edited paper's part is made again. The text is what json.dumps gives for the whole
    data (a test compares them)."""
    from . import i18n, urls
    from .memo import cached, digest

    data = pdf_data(model, math, pieces=True)
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    mark = f"[{json.dumps(PAPERS)}]"
    if not any(s["key"] == "publications" for s in data["sections"]):
        return text
    if text.count(mark) != 1:  # cannot happen (see PAPERS); the whole data, then
        return json.dumps(pdf_data(model, math), ensure_ascii=False, sort_keys=True)
    base = urls.absolute_base(model.config.base_url)
    t = i18n.messages(model.config.language, model.config.strings)
    shared = digest(base, math, sorted(t.items()))

    def piece(entry) -> str:
        return json.dumps(_paper(entry, base, math, t), ensure_ascii=False, sort_keys=True)

    papers = ", ".join(
        cached("pdf", f"{entry.key}\0{shared}", partial(piece, entry)) if entry.key else piece(entry) for entry in model.entries
    )
    return text.replace(mark, f"[{papers}]")


def needs_cjk_font(model) -> bool:
    """The CV has CJK text but no CJK font was found: the PDF would show empty boxes."""
    if cjk_fonts():  # looked at first: the CV's text is long
        return False
    text = json.dumps(pdf_data(model, math=False), ensure_ascii=False)
    return bool(_CJK_TEXT.search(text))


def compile_pdf(template: str, data: str) -> bytes:
    """cv.typ compiled with the CV's data (JSON); raises typst.TypstError."""
    import typst

    fonts = cjk_fonts() if _CJK_TEXT.search(data) else []  # loading them takes seconds: only when needed
    # typst's stubs tie font_paths to the source's type; the source is bytes, font folders are paths
    pdf = typst.compile(
        template.encode("utf-8"),
        sys_inputs={"cv": data},
        font_paths=list(fonts),  # type: ignore[call-overload]
        ignore_system_fonts=True,
        format="pdf",
    )
    assert isinstance(pdf, bytes)  # with no output path, compile returns the document
    return pdf


def render_pdf(model, template: str, compile_with=compile_pdf, first: Callable[[], bytes] | None = None) -> bytes:
    """Compile cv.typ with the CV's data; ContentError when the template itself is broken.
    compile_with(template, data) may compile elsewhere (the preview: in a fresh process); first,
    when given, is the first attempt already under way (start_pdf)."""
    import typst

    from .errors import ContentError, Problem

    try:
        return first() if first is not None else compile_with(template, pdf_json(model, math=True))
    except typst.TypstError:
        pass  # a formula Typst did not accept: show every formula as Unicode text instead
    try:
        return compile_with(template, pdf_json(model, math=False))
    except typst.TypstError as exc:
        message = " ".join(str(exc).split())[:300]
        raise ContentError([Problem("templates/cv.typ", 1, "template", f"Typst could not build cv.pdf: {message}")]) from None


class Compilation:
    """compile_pdf in a fresh Python process, started at once and waited for by result(): Typst's
    threads do not survive a fork, so forked workers must never compile, and meanwhile this
    process goes on with the rest of the build on the other core."""

    def __init__(self, template: str, data: str):
        import atexit
        import os
        import subprocess
        import sys
        import tempfile
        import threading

        # The input goes through a file, not a pipe: workers forked meanwhile (parallel.py) would
        # inherit the pipe's end, and the compiler would wait for them to exit to see its end.
        with tempfile.NamedTemporaryFile("wb", prefix="cvsite-cv-", suffix=".json", delete=False) as file:
            file.write(json.dumps([template, data]).encode())
        self._input = file.name
        package_root = str(Path(__file__).resolve().parent.parent)
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")])))
        command = [sys.executable, "-m", "generator.cv_pdf", self._input]
        self._process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self._output: tuple[bytes, bytes] = (b"", b"")
        self._talk = threading.Thread(target=self._communicate, daemon=True)
        self._talk.start()
        atexit.register(self.cancel)  # a build that fails before waiting leaves no compiler running

    def _communicate(self) -> None:
        self._output = self._process.communicate()

    def cancel(self) -> None:
        import os

        if self._process.poll() is None:
            self._process.kill()
        with contextlib.suppress(OSError):
            os.unlink(self._input)

    def result(self) -> bytes:
        """The PDF; raises typst.TypstError as compile_pdf does."""
        import atexit

        import typst

        self._talk.join()
        self.cancel()
        atexit.unregister(self.cancel)
        out, err = self._output
        if self._process.returncode == 4:
            raise typst.TypstError(err.decode("utf-8", "replace"))  # type: ignore[call-arg]
        if self._process.returncode:
            raise RuntimeError(f"compiling cv.pdf failed: {err.decode('utf-8', 'replace').strip()[-300:]}")
        return out


def start_pdf(model, template: str):
    """Start compiling cv.pdf now, in a fresh process (Compilation); returns the function that
    waits for it, with render_pdf's rules (a formula Typst refuses: compiled again as text)."""
    job = Compilation(template, pdf_json(model, math=True))
    return lambda: render_pdf(model, template, compile_apart, job.result)


def compile_apart(template: str, data: str) -> bytes:
    """compile_pdf in a fresh Python process (Compilation), waited for."""
    return Compilation(template, data).result()


if __name__ == "__main__":  # compile_pdf in a fresh process: [template, data] on stdin, the PDF on stdout
    import sys

    import typst

    try:  # the input: the file named by the first argument, or stdin
        source = Path(sys.argv[1]).read_bytes() if len(sys.argv) > 1 else sys.stdin.buffer.read()
        sys.stdout.buffer.write(compile_pdf(*json.loads(source)))
    except typst.TypstError as error:
        sys.stderr.write(str(error))
        sys.exit(4)
