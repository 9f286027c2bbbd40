"""Compiled templates kept per user in ~/.cache/cvsite/templates/ (template_cache.py): a fresh
clone of a site compiles no template another build of the user's compiled from the same source,
gives the bytes of a clean build, and never loads an entry the user's own cvsite did not write."""

from __future__ import annotations

import io
import marshal
import pickle
import shutil
from pathlib import Path

import jinja2
import pytest
from jinja2.bccache import bc_magic

from generator import template_cache
from generator.cli import main
from tests.conftest import REPO


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def user(tmp_path, monkeypatch):
    """user('name'): builds from now on run as that user (their own ~/.cache); returns their
    compiled-templates folder."""

    def become(name: str) -> Path:
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / f"cache-of-{name}"))
        return template_cache.folder()

    return become


@pytest.fixture
def compiled(monkeypatch):
    """The names of the templates Jinja compiles from source (not loaded compiled)."""
    names: list[str] = []
    compile_source = jinja2.Environment.compile

    def counting(self, source, name=None, filename=None, raw=False, defer_init=False):
        names.append(name)
        return compile_source(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    return names


def fresh_clone(tmp_path: Path, name: str, templates: dict[str, str] | None = None) -> Path:
    """The example site as a new clone has it: no .cvsite-cache/, no output."""
    root = tmp_path / name
    root.mkdir()
    shutil.copy(REPO / "site.yaml", root / "site.yaml")
    shutil.copytree(REPO / "content", root / "content")
    for rel, text in (templates or {}).items():
        (root / "templates" / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / "templates" / rel).write_text(text, encoding="utf-8")
    return root


def build(site: Path, *args: str) -> dict[str, bytes]:
    assert main(["build", "--site", str(site), *args]) == 0
    return tree(site / "output")


def clean_build(site: Path, tmp_path: Path) -> dict[str, bytes]:
    out = tmp_path / f"clean-{site.name}"
    shutil.rmtree(out, ignore_errors=True)
    assert main(["build", "--site", str(site), "--output", str(out), "--no-cache"]) == 0
    return tree(out)


def test_a_fresh_clone_compiles_nothing_another_site_compiled(tmp_path, user, compiled):
    entries = user("ada")
    build(fresh_clone(tmp_path, "first"))
    assert len(compiled) >= 10 and len(list(entries.iterdir())) == len(compiled)
    compiled.clear()
    second = fresh_clone(tmp_path, "second")
    built = build(second)
    assert compiled == []
    assert built == clean_build(second, tmp_path)


def test_no_cache_neither_reads_nor_writes_compiled_templates(tmp_path, user, compiled):
    entries = user("ada")
    site = fresh_clone(tmp_path, "site")
    build(site, "--no-cache")
    assert not entries.exists()
    build(fresh_clone(tmp_path, "other"))
    before = tree(entries)
    compiled.clear()
    build(site, "--no-cache")
    assert len(compiled) == len(before)  # every template compiled from its source
    assert tree(entries) == before


def _evil_body(entry: Path) -> bytes:
    """Jinja bytecode for entry's template that would create a file named 'pwned' if it ran."""
    body = io.BytesIO(entry.read_bytes())
    while body.read(len(bc_magic)) != bc_magic:  # skip cvsite's header and signature
        body.seek(body.tell() - len(bc_magic) + 1)
    checksum = pickle.load(body)
    return bc_magic + pickle.dumps(checksum, 2) + marshal.dumps(compile("open('pwned', 'w').close()", "evil", "exec"))


@pytest.mark.parametrize("how", ["body replaced", "truncated", "not cvsite's"])
def test_a_tampered_entry_is_never_loaded(tmp_path, user, compiled, monkeypatch, how):
    entries = user("ada")
    build(fresh_clone(tmp_path, "first"))
    for entry in entries.iterdir():
        head = entry.read_bytes()[: len(template_cache.MAGIC) + template_cache.SIGNATURE]
        if how == "body replaced":  # the signature of what was there, in front of code that would run
            entry.write_bytes(head + _evil_body(entry))
        elif how == "truncated":
            entry.write_bytes(entry.read_bytes()[:-40])
        else:
            entry.write_bytes(_evil_body(entry))
    monkeypatch.chdir(tmp_path)
    compiled.clear()
    site = fresh_clone(tmp_path, "second")
    built = build(site)
    assert not (tmp_path / "pwned").exists()
    assert len(compiled) == len(list(entries.iterdir()))  # each compiled again, and its entry replaced
    assert built == clean_build(site, tmp_path)
    compiled.clear()
    build(fresh_clone(tmp_path, "third"))
    assert compiled == []


def test_two_users_caches_do_not_mix(tmp_path, user, compiled, monkeypatch):
    ada = user("ada")
    build(fresh_clone(tmp_path, "ada-site"))
    everything = len(compiled)
    bob = user("bob")
    shutil.copytree(ada, bob)  # Ada's entries handed to Bob: signed with Ada's key, not his
    compiled.clear()
    site = fresh_clone(tmp_path, "bob-site")
    built = build(site)
    assert len(compiled) == everything  # nothing of Ada's loaded
    assert built == clean_build(site, tmp_path)
    assert all(ada_entry.read_bytes() != (bob / ada_entry.name).read_bytes() for ada_entry in ada.iterdir())
    user("ada")
    compiled.clear()
    build(fresh_clone(tmp_path, "ada-again"))
    assert compiled == []  # Bob's builds did not touch Ada's cache


def test_an_edited_site_template_is_compiled_again(tmp_path, user, compiled, edit):
    user("ada")
    builtin = (REPO / "templates/partials/papers.html").read_text(encoding="utf-8")
    override = builtin.replace('<article class="paper">', '<article class="paper"><p class="mark">first</p>')
    site = fresh_clone(tmp_path, "site", {"partials/papers.html": override})
    assert '<p class="mark">first</p>' in build(site)["index.html"].decode()
    edit(site / "templates/partials/papers.html", '<p class="mark">first</p>', '<p class="mark">second</p>')
    shutil.rmtree(site / ".cvsite-cache")  # a fresh clone's build: only the user's compiled templates are kept
    shutil.rmtree(site / "output")
    compiled.clear()
    home = build(site)["index.html"].decode()
    assert '<p class="mark">second</p>' in home and '<p class="mark">first</p>' not in home
    assert compiled == ["partials/papers.html"]
    assert tree(site / "output") == clean_build(site, tmp_path)


def test_an_unusable_cache_folder_only_means_compiling(tmp_path, user, compiled):
    entries = user("ada")
    entries.parent.mkdir(parents=True)
    entries.write_text("not a folder")  # neither readable nor writable as one
    site = fresh_clone(tmp_path, "site")
    built = build(site)
    assert len(compiled) >= 10
    assert built == clean_build(site, tmp_path)


def test_one_folder_holding_one_site_then_another_shows_each_ones_override(tmp_path, user, compiled):
    # the same path, the same template name: the same entry, for one source then another and back
    # (a folder reused for another clone, a branch switched, an edit undone)
    user("ada")
    builtin = (REPO / "templates/partials/papers.html").read_text(encoding="utf-8")
    for i, name in enumerate("abab"):
        site = tmp_path / "site"
        shutil.rmtree(site, ignore_errors=True)
        marked = builtin.replace('<article class="paper">', f'<article class="paper"><p class="mark">{name}</p>')
        fresh_clone(tmp_path, "site", {"partials/papers.html": marked})
        compiled.clear()
        home = build(site)["index.html"].decode()
        other = "b" if name == "a" else "a"
        assert f'<p class="mark">{name}</p>' in home and f'<p class="mark">{other}</p>' not in home
        if i:  # the first build compiled every template; then the entry holds the other source's code
            assert compiled == ["partials/papers.html"]
    assert tree(site / "output") == clean_build(site, tmp_path)


def test_entries_of_another_python_implementation_are_not_loaded(tmp_path, user, compiled, monkeypatch):
    # CPython and PyPy of one language version share Jinja's format but not their bytecode: the
    # same cvsite checkout run by both (an editable install in two environments) keeps them apart
    import sys
    import types

    user("ada")
    build(fresh_clone(tmp_path, "first"))
    everything = len(compiled)
    other = types.SimpleNamespace(**{**vars(sys.implementation), "name": "pypy", "cache_tag": "pypy311"})
    monkeypatch.setattr(sys, "implementation", other)
    compiled.clear()
    site = fresh_clone(tmp_path, "second")
    built = build(site)
    assert len(compiled) == everything  # every template compiled again
    assert built == clean_build(site, tmp_path)
