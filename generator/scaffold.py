"""cvsite new DIR: a small site that builds as it is and publishes on GitHub Pages when pushed."""

from __future__ import annotations

import json
import shutil
import subprocess
from importlib import metadata, resources
from pathlib import Path

from . import __version__
from .errors import UsageError

# packaged name -> name in the new site (dotfiles are renamed so every packaging tool keeps them)
RENAMES = {"gitignore": ".gitignore", "pages.yml": ".github/workflows/pages.yml"}


def _git(folder: str, *args: str) -> str:
    try:
        result = subprocess.run(["git", "-C", folder, *args], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


def cvsite_requirement() -> str:
    """How the new site's workflow should install cvsite: the way this copy was installed.

    From a git URL: that URL at the same commit. From a local clone of a repository on the web
    (pip install . or -e .): its origin at the checked-out commit. Otherwise: this version.
    """
    try:
        direct = metadata.distribution("cvsite").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        direct = None
    info = json.loads(direct) if direct else {}
    url = info.get("url", "")
    vcs = info.get("vcs_info")
    if vcs and url.startswith(("https://", "git+https://")):
        url = url if url.startswith("git+") else f"git+{url}"
        return f"cvsite @ {url}@{vcs.get('commit_id', vcs.get('requested_revision', ''))}".rstrip("@")
    if url.startswith("file://") and "dir_info" in info:
        folder = url[len("file://"):]
        origin, commit = _git(folder, "remote", "get-url", "origin"), _git(folder, "rev-parse", "HEAD")
        if origin.startswith("https://") and commit:
            return f"cvsite @ git+{origin}@{commit}"
    return f"cvsite=={__version__}"


def scaffold_files() -> dict[str, bytes]:
    root = resources.files("generator").joinpath("new_site")
    found: dict[str, bytes] = {}

    def walk(node, prefix: str) -> None:
        for child in node.iterdir():
            name = f"{prefix}{child.name}"
            if child.is_dir():
                walk(child, name + "/")
            elif not child.name.endswith((".pyc",)):
                found[RENAMES.get(name, name)] = child.read_bytes()

    walk(root, "")
    found["requirements.txt"] = (
        "# What the GitHub Pages workflow installs to build this site. cvsite is pinned so a\n"
        "# published site does not change by surprise; to use a fork, write its pip requirement,\n"
        "# e.g. cvsite @ git+https://github.com/you/cvsite@main\n"
        f"{cvsite_requirement()}\n"
    ).encode()
    return found


def create_site(target: Path) -> list[str]:
    """Write the scaffold into target, which must not exist or be empty. Returns the files written."""
    target = target.expanduser()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UsageError(f"{target} already exists and is not empty; cvsite new only writes into a new or empty folder")
    files = scaffold_files()
    created = not target.exists()
    try:
        for rel, data in sorted(files.items()):
            path = target / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    except OSError:
        if created:
            shutil.rmtree(target, ignore_errors=True)
        raise
    return sorted(files)
