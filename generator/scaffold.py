"""cvsite new DIR: a small site that builds as it is and publishes on GitHub Pages when pushed."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from . import __version__
from .errors import UsageError

# packaged name -> name in the new site (dotfiles are renamed so every packaging tool keeps them)
RENAMES = {"gitignore": ".gitignore", "pages.yml": ".github/workflows/pages.yml"}


def _git(folder: Path, *args: str) -> str:
    try:
        result = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


@dataclass(frozen=True)
class Requirement:
    """The requirements.txt line that installs cvsite, and why GitHub's runner may fail on it ('' if vouched for)."""

    line: str
    problem: str = ""


def _web_url(url: str) -> tuple[str, str]:
    """(an https URL GitHub's runner can fetch, a caveat) for a git remote; ('', '') when there is none."""
    if url.startswith(("https://", "http://")):
        return url, ""
    ssh = re.match(r"^(?:ssh://)?(?:[\w.-]+@)?([\w.-]+\.[a-z]{2,})[:/](?!/)(.+)$", url)
    if ssh and not url.startswith("file:"):
        https = f"https://{ssh[1]}/{ssh[2]}"
        return https, f"it was fetched over SSH, which GitHub's runner cannot do; {https} works only if the repository is public"
    return "", ""


def _subdirectory(folder: Path) -> str:
    prefix = _git(folder, "rev-parse", "--show-prefix").rstrip("/")
    return f"#subdirectory={prefix}" if prefix else ""


def _from_checkout(folder: Path, commit: str = "", fragment: str | None = None) -> Requirement:
    """A git checkout on this machine: its origin at the installed commit, once that commit is pushed.

    fragment: the #subdirectory= part when pip recorded one; by default, where folder sits in its repository.
    """
    head = _git(folder, "rev-parse", "HEAD")
    commit = commit or head
    if not commit:
        return Requirement(
            f"cvsite @ {folder.as_uri()}",
            f"cvsite was installed from the folder {folder}, which is not a git checkout, so GitHub's runner cannot install the same code",
        )
    fragment = _subdirectory(folder) if fragment is None else fragment
    origin, caveat = _web_url(_git(folder, "remote", "get-url", "origin"))
    if not origin:
        return Requirement(
            f"cvsite @ git+{folder.as_uri()}@{commit}{fragment}",
            f"cvsite was installed from the git checkout {folder}, which has no origin on the web for GitHub's runner to install it from",
        )
    line = f"cvsite @ git+{origin}@{commit}{fragment}"
    if not _git(folder, "branch", "--remotes", "--list", "origin/*", "--contains", commit):
        return Requirement(line, f"commit {commit[:12]} is not on {origin} (as far as this checkout knows): push it first")
    if commit == head and _git(folder, "status", "--porcelain", "--untracked-files=no"):
        return Requirement(line, f"{folder} has uncommitted changes, which this commit does not hold")
    return Requirement(line, caveat)


def _local_path(url: str) -> Path:
    return Path(url2pathname(urlsplit(url).path))


def cvsite_requirement() -> Requirement:
    """How the new site's workflow should install cvsite: exactly the cvsite running now (PEP 610).

    From an index (no direct_url.json): that version. From a git URL: that URL at that commit. From
    a folder or a git repository on this machine: its origin on the web at the installed commit.
    From a wheel or sdist: its URL. Whatever GitHub's runner cannot install comes with a problem.
    """
    try:
        dist = metadata.distribution("cvsite")
    except metadata.PackageNotFoundError:  # run from a source folder, e.g. PYTHONPATH=checkout
        source = Path(__file__).resolve().parents[1]
        if (source / "pyproject.toml").is_file():
            return _from_checkout(source)
        return Requirement(f"cvsite=={__version__}", "cannot tell where this cvsite came from")
    direct = dist.read_text("direct_url.json")
    if not direct:
        return Requirement(f"cvsite=={dist.version}")
    info = json.loads(direct)
    url, subdirectory = info.get("url", ""), info.get("subdirectory")
    fragment = f"#subdirectory={subdirectory}" if subdirectory else ""
    if "vcs_info" in info:
        vcs, commit = info["vcs_info"].get("vcs", "git"), info["vcs_info"].get("commit_id", "")
        if url.startswith("file:") and vcs == "git":
            return _from_checkout(_local_path(url), commit, fragment)
        web, caveat = _web_url(url)
        line = f"cvsite @ {vcs}+{web or url}@{commit}{fragment}"
        return Requirement(line, caveat if web else f"cannot tell whether GitHub's runner can fetch {url}")
    if "dir_info" in info:
        return _from_checkout(_local_path(url))
    hashes = info.get("archive_info", {}).get("hashes", {})
    digest = f"#sha256={hashes['sha256']}" if "sha256" in hashes and not fragment else fragment
    if url.startswith(("https://", "http://")):
        return Requirement(f"cvsite @ {url}{digest}")
    return Requirement(
        f"cvsite @ {url}{digest}",
        f"cvsite was installed from {_local_path(url)}, a file on this machine that GitHub's runner cannot install",
    )


def explicit_requirement(spec: str) -> Requirement:
    """cvsite new --requirement SPEC: the user's own pip requirement line, taken as it is."""
    spec = spec.strip()
    if not spec or "\n" in spec or "\r" in spec:
        raise UsageError(
            "--requirement expects one pip requirement line, e.g. 'cvsite==0.2.0' or 'cvsite @ git+https://github.com/you/cvsite@main'"
        )
    return Requirement(spec)


REQUIREMENTS_HEADER = (
    "# What the GitHub Pages workflow installs to build this site. cvsite is pinned so a\n"
    "# published site does not change by surprise; to use a fork, write its pip requirement,\n"
    "# e.g. cvsite @ git+https://github.com/you/cvsite@main\n"
)


def requirements_text(requirement: Requirement) -> tuple[str, int]:
    """requirements.txt for the new site, and the line number of the cvsite requirement."""
    text = REQUIREMENTS_HEADER
    if requirement.problem:
        text += f"# EDIT THE NEXT LINE before you push: {requirement.problem}.\n"
    return text + requirement.line + "\n", text.count("\n") + 1


def scaffold_files(requirement: Requirement | None = None) -> dict[str, bytes]:
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
    found["requirements.txt"] = requirements_text(requirement or cvsite_requirement())[0].encode()
    return found


def create_site(target: Path, requirement: Requirement | None = None) -> list[str]:
    """Write the scaffold into target, which must not exist or be empty. Returns the files written."""
    target = target.expanduser()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UsageError(f"{target} already exists and is not empty; cvsite new only writes into a new or empty folder")
    files = scaffold_files(requirement)
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
