"""Papers in blocks whose bounds follow their content: how a file showing every paper keeps its
parts in the build cache (resume.json, the CV page's citations).

At 10,000 papers, looking up each paper's part in the cache on its own costs more than writing
the file (each look-up hashes its key), so a file keeps one part per block of about BLOCK papers.
A block ends after a paper whose entry key hashes to a multiple of BLOCK, not after a fixed count:
an edit, a new paper or a removed one then changes its own block only, where fixed-size blocks
after a new first paper would all shift and every one be made again.
"""

from __future__ import annotations

import hashlib
import zlib
from array import array
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import PaperEntry

BLOCK = 64  # papers in a block, on average


def blocks(entries: Sequence[PaperEntry]) -> list[tuple[Sequence[PaperEntry], str]]:
    """entries in consecutive blocks, in order, each with the key its part is cached under (with
    what else that part depends on): the hash of its entries' keys, which are the hashes of all
    they are made from, after its first entry's key, so that the cache keeps it with that paper's
    results (memo.shard_of); "" for a block holding an entry without a key (not cacheable)."""
    keys = [entry.key for entry in entries]
    ends = [i + 1 for i, key in enumerate(keys) if zlib.crc32(key.encode("utf-8", "surrogatepass")) % BLOCK == 0]
    if keys and (not ends or ends[-1] != len(keys)):
        ends.append(len(keys))
    found, start = [], 0
    for end in ends:
        part = keys[start:end]
        found.append((entries[start:end], f"{part[0]}\0{_hash(part)}" if all(part) else ""))
        start = end
    return found


def _hash(keys: list[str]) -> str:
    """The hash of the keys, joined as bytes after their lengths (which tell where each ends):
    hashing repr(keys) escaped every key's separators first, and took three times as long."""
    h = hashlib.blake2b(array("Q", map(len, keys)).tobytes(), digest_size=20)
    h.update("\0".join(keys).encode("utf-8", "surrogatepass"))
    return h.hexdigest()
