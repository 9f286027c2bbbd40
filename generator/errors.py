"""Content problems as values: collected across a whole build, reported together.

A problem is an error (the build stops and writes nothing) or a warning (shown the same way,
`path:line: field: warning: message`, counted in the summary, never blocking unless the
build is asked to be strict).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, located to the line of the offending key."""

    path: str
    line: int
    field: str
    message: str
    warning: bool = False  # likely a mistake, but the site can be built as written

    def __str__(self) -> str:
        kind = "warning: " if self.warning else ""
        return f"{self.path}:{self.line}: {self.field}: {kind}{self.message}"


def warning(path: str, line: int, field: str, message: str) -> Problem:
    return Problem(path, line, field, message, warning=True)


def split(problems: Iterable[Problem]) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings)"""
    found = list(problems)
    return [p for p in found if not p.warning], [p for p in found if p.warning]


class ContentError(Exception):
    """Raised by a stage that found problems; carries all of them, sorted.

    problems are what stopped the build: the errors, and the warnings too when the build is
    strict; warnings are the ones found beside the errors that did not count against it.
    """

    def __init__(self, problems: Iterable[Problem], warnings: Iterable[Problem] = ()):
        self.problems = sorted(set(problems))
        self.warnings = sorted(set(warnings) - set(self.problems))
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def everything(self) -> list[Problem]:
        """Every problem to show, in file and line order."""
        return sorted(self.problems + self.warnings)


class UsageError(Exception):
    """A wrong command line or an unsafe output folder: exit status 2."""
