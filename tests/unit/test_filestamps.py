"""The stat fast path for record files (git's index rule): a file is read again whenever it may
have changed, even when its modification time was put back or it changed within the second the
table was made, and is not read when nothing about it moved."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from generator import filestamps
from generator.filestamps import Stamps


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def old_file(tmp_path) -> Path:
    """A record file last written long ago, and a table taken since."""
    path = tmp_path / "paper.md"
    path.write_bytes(b"title: One\n")
    past = time.time_ns() - 3600 * 10**9
    os.utime(path, ns=(past, past))
    return path


def table(folder: Path) -> tuple[dict, Stamps, int]:
    """The table a build made a few seconds after the file was last touched (a table made in the
    same second as a change would have the file read again next time: see the racy test)."""
    found, stamps, read = filestamps.digests(str(folder), ["paper.md"], None)
    return found, Stamps(stamps.taken + 3 * 10**9, stamps.files), read


def test_an_unchanged_file_is_not_read_again(old_file):
    _, stamps, _ = table(old_file.parent)
    found, _, read = filestamps.digests(str(old_file.parent), ["paper.md"], stamps)
    assert found == {"paper.md": sha(b"title: One\n")}
    assert read == 0


def test_an_edit_of_another_size_with_its_mtime_put_back_is_seen(old_file):
    _, stamps, _ = table(old_file.parent)
    before = os.stat(old_file)
    old_file.write_bytes(b"title: One, edited\n")
    os.utime(old_file, ns=(before.st_atime_ns, before.st_mtime_ns))
    found, _, read = filestamps.digests(str(old_file.parent), ["paper.md"], stamps)
    assert found == {"paper.md": sha(b"title: One, edited\n")} and read == 1


def test_an_edit_of_the_same_size_with_its_mtime_put_back_is_seen(old_file):
    _, stamps, _ = table(old_file.parent)
    before = os.stat(old_file)
    old_file.write_bytes(b"title: Two\n")  # same size
    os.utime(old_file, ns=(before.st_atime_ns, before.st_mtime_ns))  # moves the change time
    found, _, _ = filestamps.digests(str(old_file.parent), ["paper.md"], stamps)
    assert found == {"paper.md": sha(b"title: Two\n")}


def test_a_same_second_edit_that_moves_no_time_is_caught(tmp_path):
    """On a file system keeping whole seconds, an edit right after the table was made may leave
    size and times as they were: a file whose times fall in that second is read again."""
    path = tmp_path / "paper.md"
    path.write_bytes(b"title: One\n")
    _, stamps, _ = filestamps.digests(str(tmp_path), ["paper.md"], None)  # in the second of the write
    st = os.stat(path)
    path.write_bytes(b"title: Two\n")  # same size
    # as if the times had not moved: the stat the table holds, made again
    stamps = Stamps(
        stamps.taken, {"paper.md": (st.st_size, *(os.stat(path).st_mtime_ns, os.stat(path).st_ctime_ns), st.st_ino, sha(b"title: One\n"))}
    )
    found, _, read = filestamps.digests(str(tmp_path), ["paper.md"], stamps)
    assert found == {"paper.md": sha(b"title: Two\n")} and read == 1


def test_a_file_replaced_by_another_is_read(old_file):
    _, stamps, _ = table(old_file.parent)
    other = old_file.with_name("other.md")
    other.write_bytes(b"title: Six\n")
    st = os.stat(old_file)
    os.utime(other, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(other, old_file)  # another inode
    found, _, _ = filestamps.digests(str(old_file.parent), ["paper.md"], stamps)
    assert found == {"paper.md": sha(b"title: Six\n")}


def test_what_is_not_a_readable_regular_file_has_no_digest(tmp_path):
    os.mkfifo(tmp_path / "fifo.md")
    (tmp_path / "folder.md").mkdir()
    found, stamps, _ = filestamps.digests(str(tmp_path), ["fifo.md", "folder.md", "missing.md"], None)
    assert found == {"fifo.md": None, "folder.md": None, "missing.md": None}
    assert stamps.files == {}


def test_a_table_made_from_the_digests_a_build_read_spares_the_next_read(old_file):
    """A build with no table yet reads every record to parse it: the table it keeps (stamps_of)
    is the one digests would have made before, so the next build reads nothing unchanged."""
    taken = time.time_ns() + 3 * 10**9  # as if the file had been written seconds before the build
    stamps = filestamps.stamps_of(str(old_file.parent), {"paper.md": sha(b"title: One\n"), "gone.md": None}, taken)
    assert set(stamps.files) == {"paper.md"}
    found, _, read = filestamps.digests(str(old_file.parent), ["paper.md"], stamps)
    assert found == {"paper.md": sha(b"title: One\n")} and read == 0


def test_a_file_written_after_the_build_began_is_read_again(tmp_path):
    """The build read the file before this write, so the digest it holds is the old content's:
    the next build must not trust it, though the stat in the table is the file's present one."""
    path = tmp_path / "paper.md"
    path.write_bytes(b"title: One\n")
    taken = time.time_ns()
    read_then = sha(path.read_bytes())
    path.write_bytes(b"title: Two\n")  # same size, after the build began
    stamps = filestamps.stamps_of(str(tmp_path), {"paper.md": read_then}, taken)
    found, _, read = filestamps.digests(str(tmp_path), ["paper.md"], stamps)
    assert found == {"paper.md": sha(b"title: Two\n")} and read == 1
