"""Importers: publication lists from other tools -> fields in the record vocabulary of the README.

One module per source format, each a function `parse(data: bytes, source: str) -> list[Imported]`;
`detect` picks the format from the content, `merge` finds duplicates, `serialise` and `writer`
turn the result into record files, `fetch` brings identifiers from the web. The build pipeline
uses none of this: importing only writes ordinary record files that a build then reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import Problem


@dataclass
class Imported:
    """One entry of a source, with where it came from and its fields in record vocabulary."""

    source: str  # the file or identifier as given
    line: int  # line of the entry in .bib/.ris/.xml; position (1 = first) in JSON
    key: str  # citation key or the source's id, to name the entry in messages
    fields: dict = field(default_factory=dict)
    issues: list[tuple[str, str]] = field(default_factory=list)  # (field, message) found while reading

    def read(self, make_fields, *args, shape: str = "") -> None:
        """Fill fields with make_fields(*args), or note the issue that stopped it. shape names a JSON
        format: an object of an unexpected shape is then an issue of this entry, not a crash."""
        from .common import EntryIssue

        shape_errors = (AttributeError, TypeError, KeyError, ValueError) if shape else ()
        try:
            self.fields = make_fields(*args)
        except EntryIssue as issue:
            self.issues.append((issue.field, str(issue)))
        except shape_errors as exc:
            self.issues.append(("entry", f"not {shape} entry this importer can read ({type(exc).__name__}: {exc})"))

    def problem(self, field_name: str, message: str) -> Problem:
        return Problem(self.source, self.line, f"{self.key}: {field_name}", message)

    def problems(self) -> list[Problem]:
        return [self.problem(name, message) for name, message in self.issues]
