"""Where cvsite finds its built-in templates and themes (a module of its own: a build with
nothing to do asks it without loading the configuration's record types)."""

from __future__ import annotations

from pathlib import Path


def builtin_dir(name: str) -> Path:
    """Built-in 'templates' or 'themes': inside the wheel when installed, top level in a checkout."""
    package = Path(__file__).resolve().parent
    installed = package / "_builtin" / name
    return installed if installed.is_dir() else package.parent / name
