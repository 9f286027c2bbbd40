"""A file joined from every paper's text (the bibliography files), made again from the file as
last written: after an edit, each unchanged paper's bytes are copied from it and only the
changed papers' text is made. Making the three files anew (each paper's CSL-JSON item and RIS
record are made as their file is joined, bibliography.PaperExport) was most of the output time
of a build after one edit at 10,000 papers."""

from __future__ import annotations

import os
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

PIECE = 512  # papers made and joined at a time: about a megabyte
ID_SIZE = 8  # bytes of a paper's id: ids come packed, one bytes object for every paper


@dataclass(frozen=True)
class Layout:
    """A joined file as written: its sha256, what each paper's text was made from (ids, ID_SIZE
    bytes a paper) and the byte offset just after each paper's text (ends: array("q") bytes).
    Two bytes objects, however many papers: the cache's index pickles them whole (one object
    a paper, at 100,000 papers, made the pickler's memo of the index grow by tens of MB)."""

    sha256: str
    ids: bytes  # (the model's own: the three files' layouts share it in the cache)
    ends: bytes


class JoinedFile:
    """head + sep.join(text(i) for each paper) + tail in UTF-8 (empty when there are no papers),
    iterated in pieces. ids (ID_SIZE bytes a paper, packed) name what each text(i) is made
    from: equal ids, equal texts. Given
    the file as last written and its layout (previous: its path, which is read a piece at a time,
    never whole), a paper whose id that file holds is copied from it, not made. Once iterated,
    layout(sha256) describes the bytes just given."""

    def __init__(
        self,
        count: int,
        text: Callable[[int], str],
        ids: bytes | None = None,
        head: str = "",
        sep: str = "\n",
        tail: str = "",
        empty: str = "",
        previous: tuple[Path, Layout] | None = None,
    ):
        self.count = count
        self.text = text
        self.ids = ids  # None: nothing to copy or to describe
        self.head, self.sep, self.tail, self.empty = head.encode(), sep.encode(), tail.encode(), empty.encode()
        self.sep_text = sep
        self.previous = previous if ids is not None else None
        self.ends = array("q")
        self.keep: Callable[[Layout], None] | None = None  # given the layout once the file is written

    def layout(self, sha256: str) -> Layout | None:
        """The bytes just iterated, whose sha256 the writer took (None: no ids to describe them by)."""
        return None if self.ids is None else Layout(sha256, self.ids, self.ends.tobytes())

    def written(self, sha256: str) -> None:
        """The writer wrote the bytes just iterated, whose sha256 it took: keep their layout."""
        layout = self.layout(sha256)
        if self.keep is not None and layout is not None:
            self.keep(layout)

    def _places(self, old: BinaryIO, layout: Layout) -> dict[bytes, tuple[int, int]]:
        """By id, where each paper's text in the previous file starts and ends (none: it is not
        the file its layout describes)."""
        ends = array("q")
        ends.frombytes(layout.ends)
        size = os.fstat(old.fileno()).st_size
        if not ends or len(ends) * ID_SIZE != len(layout.ids) or size != ends[-1] + len(self.tail):
            return {}
        if old.read(len(self.head)) != self.head:
            return {}
        old.seek(ends[-1])
        if old.read() != self.tail:
            return {}
        starts = [len(self.head), *(end + len(self.sep) for end in ends[:-1])]
        return {paper: (start, end) for paper, start, end in zip(_split(layout.ids), starts, ends)}

    def __iter__(self) -> Iterator[bytes]:
        self.ends = array("q")
        if not self.count:
            yield self.empty
            return
        if self.previous is None:
            yield from self._pieces(None, {})
            return
        path, layout = self.previous
        try:
            old = open(path, "rb")  # noqa: SIM115 - closed below, once the pieces are given
        except OSError:
            yield from self._pieces(None, {})
            return
        with old:
            yield from self._pieces(old, self._places(old, layout))

    def _pieces(self, old: BinaryIO | None, places: dict[bytes, tuple[int, int]]) -> Iterator[bytes]:
        count = self.count
        ids = _split(self.ids) if places else []
        sep, sep_size = self.sep, len(self.sep)
        at = len(self.head)  # where the next paper's text starts
        if self.head:
            yield self.head
        i = 0
        while i < count:
            lead = sep if i else b""
            place = places.get(ids[i]) if places else None
            if old is not None and place is not None:  # copied, with the papers after it that followed it there too
                start, end = place
                first = i
                i += 1
                while i < count and i - first < PIECE:
                    after = places.get(ids[i])
                    if after is None or after[0] != end + sep_size:
                        break
                    end = after[1]
                    i += 1
                self.ends.extend(at + e - start for _, e in (places[ids[k]] for k in range(first, i)))
                at += end - start + sep_size
                if lead and start > len(self.head):  # the separator before it there: read with it
                    start -= sep_size
                    lead = b""
                old.seek(start)
                data = old.read(end - start)
                if len(data) != end - start:
                    raise OSError(f"{old.name} changed while the build read it")
                yield lead + data if lead else data
                continue
            run = []  # made: this paper and the next ones the previous file lacks
            first = i
            while i < count and i - first < PIECE and (i == first or not places or ids[i] not in places):
                text = self.text(i)
                run.append(text)
                size = len(text) if text.isascii() else len(text.encode("utf-8"))
                self.ends.append(at + size)
                at += size + sep_size
                i += 1
            yield lead + self.sep_text.join(run).encode("utf-8")
        if self.tail:
            yield self.tail


def _split(ids: bytes | None) -> list[bytes]:
    """Packed ids, one a paper."""
    if not ids:
        return []
    return [ids[at : at + ID_SIZE] for at in range(0, len(ids), ID_SIZE)]
