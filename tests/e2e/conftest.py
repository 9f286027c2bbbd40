"""Fixtures for the publish path: cvsite built as PyPI would get it, and fresh virtual environments.

Building and installing is slow, so the sdist and wheel are built once per session, and fresh
venvs that only need cvsite itself get its dependencies from one shared folder (a .pth file)
instead of installing them again.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from email.parser import Parser
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def snapshot_repository(target: Path) -> Path:
    """A scratch git repository holding this checkout's files as they are now (edits included, ignored
    files such as .venv/ and node_modules/ left out), committed once: what a user's fresh clone holds."""
    listed = subprocess.run(
        ["git", "-C", str(REPO), "ls-files", "-z", "--cached", "--others", "--exclude-standard"], capture_output=True, text=True, check=True
    ).stdout.split("\0")
    for rel in filter(None, listed):
        source = REPO / rel
        if source.is_file():  # a tracked file deleted in the checkout is left out
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / rel)
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "snapshot"]):
        subprocess.run(["git", "-C", str(target), "-c", "user.name=t", "-c", "user.email=t@t", *args], capture_output=True, check=True)
    return target


def clean_env() -> dict[str, str]:
    """The environment of a fresh shell: nothing that points back at this checkout or its venv."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    paths = env.get("PATH", "").split(os.pathsep)
    env["PATH"] = os.pathsep.join(p for p in paths if p and not (Path(p).parent / "pyvenv.cfg").is_file())
    return env


@dataclass(frozen=True)
class Dist:
    sdist: Path
    wheel: Path

    def metadata(self):
        with zipfile.ZipFile(self.wheel) as wheel:
            name = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
            return Parser().parsestr(wheel.read(name).decode("utf-8"))

    def requires(self) -> list[str]:
        """The wheel's runtime requirements (Requires-Dist without an extra)."""
        return [r for r in self.metadata().get_all("Requires-Dist") or [] if "extra ==" not in r]


@pytest.fixture(scope="session")
def dist(tmp_path_factory) -> Dist:
    """`python -m build`: the sdist, then the wheel built from that sdist, as the release workflow does."""
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(REPO)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (sdist,), (wheel,) = list(out.glob("cvsite-*.tar.gz")), list(out.glob("cvsite-*.whl"))
    return Dist(sdist, wheel)


class Venv:
    """A fresh virtual environment; pip is this test run's, pointed at it with --python."""

    def __init__(self, path: Path, deps: Path | None = None):
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
        self.path = path
        self.python = path / "bin" / "python"
        if deps is not None:  # dependencies from a shared folder, so only cvsite needs installing
            site = subprocess.run(
                [str(self.python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            Path(site, "cvsite-test-deps.pth").write_text(f"{deps}\n")

    def pip(self, *args: str, cwd: Path | None = None) -> None:
        result = subprocess.run(
            [sys.executable, "-m", "pip", "--python", str(self.python), "-q", *args],
            capture_output=True,
            text=True,
            cwd=cwd,
            env=clean_env(),
            check=False,
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

    def cvsite(self, *args: str, cwd: Path) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(self.path / "bin" / "cvsite"), *args], cwd=cwd, env=clean_env(), capture_output=True, text=True, timeout=120, check=False
        )

    def direct_url(self) -> dict | None:
        """What pip recorded about where cvsite came from (PEP 610), None when from an index."""
        found = subprocess.run(
            [str(self.python), "-c", "from importlib import metadata; print(metadata.distribution('cvsite').read_text('direct_url.json'))"],
            capture_output=True,
            text=True,
            env=clean_env(),
            check=True,
        ).stdout.strip()
        return None if found == "None" else json.loads(found)


@pytest.fixture(scope="session")
def runtime_deps(dist, tmp_path_factory) -> Path:
    """A folder holding the wheel's runtime dependencies and the build backend (nothing of cvsite)."""
    folder = tmp_path_factory.mktemp("deps")
    backend = re.search(r'^requires = \["([^"]+)"\]', (REPO / "pyproject.toml").read_text(encoding="utf-8"), re.MULTILINE)[1]
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--target", str(folder), backend, *dist.requires()],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return folder


class LightVenv(Venv):
    """A fresh venv that sees the shared dependencies: cvsite alone is installed, offline."""

    def install(self, *args: str) -> None:
        self.pip("install", "--no-deps", "--no-index", "--no-build-isolation", *args)


@pytest.fixture
def light_venv(runtime_deps, tmp_path):
    """light_venv(name): a LightVenv in the test's temporary folder."""
    return lambda name="venv": LightVenv(tmp_path / name, runtime_deps)


@pytest.fixture(scope="session")
def wheel_venv(dist, tmp_path_factory) -> Venv:
    """A fresh venv with the wheel installed the ordinary way, dependencies resolved from its metadata."""
    venv = Venv(tmp_path_factory.mktemp("wheel-venv") / "venv")
    venv.pip("install", str(dist.wheel))
    return venv
