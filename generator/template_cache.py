"""Compiled templates kept per user, as Python keeps .pyc files: every site's build loads them
instead of compiling them again (compiling the built-in templates is most of a small site's
build from nothing).

Jinja's bytecode cache protocol does the bookkeeping: an entry is found by the template's name
and file (`bucket.key`) and holds the checksum of the source it was compiled from, so a template
edited by the site's owner is compiled again. The files live in `~/.cache/cvsite/templates/`
($XDG_CACHE_HOME), one per template file (a new compilation replaces the old one, so the folder
does not grow with edits). Bytecode is code: each file is signed with the user's key of the
build cache (memo.py) over cvsite's code version, Jinja's version, the Python implementation
(sys.implementation.cache_tag), the entry's key and checksum, so an entry written by anyone
else, by another cvsite or Python, or damaged, is never loaded, only replaced. A cache folder that cannot be read or written only means compiling.
"""

from __future__ import annotations

import hmac
from pathlib import Path

from jinja2 import BytecodeCache
from jinja2.bccache import Bucket

from . import memo

MAGIC = b"cvsite-template 1\n"
SIGNATURE = 32  # bytes of memo.sign's HMAC-SHA256


def folder() -> Path:
    return memo.user_folder() / "templates"


class UserBytecode(BytecodeCache):
    def __init__(self, where: Path | None = None):
        self.where = where or folder()
        self._salt: str | None = None

    def _signature(self, bucket: Bucket, body: bytes) -> bytes:
        if self._salt is None:
            import sys

            import jinja2

            # env options are cvsite's code; Jinja's own header checks the language version, not
            # the interpreter (CPython and PyPy bytecode differ): its cache tag says both
            implementation = sys.implementation.cache_tag
            self._salt = f"templates\0{memo.code_version()}\0{jinja2.__version__}\0{implementation}"
        return memo.sign(f"{self._salt}\0{bucket.key}\0{bucket.checksum}", body)

    def _path(self, bucket: Bucket) -> Path:
        return self.where / f"{bucket.key}.bin"

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            blob = self._path(bucket).read_bytes()
            head, body = blob[: len(MAGIC) + SIGNATURE], blob[len(MAGIC) + SIGNATURE :]
            if head[: len(MAGIC)] == MAGIC and hmac.compare_digest(head[len(MAGIC) :], self._signature(bucket, body)):
                bucket.bytecode_from_string(body)  # Jinja checks its own format and the source checksum again
        except OSError:  # no entry yet, or no usable cache folder (or key): compile
            pass

    def dump_bytecode(self, bucket: Bucket) -> None:
        body = bucket.bytecode_to_string()
        try:
            self.where.mkdir(parents=True, exist_ok=True)
            memo.write_atomically(
                self._path(bucket), (MAGIC, self._signature(bucket, body), body), mode=0o600
            )  # two builds at once: whole files
        except OSError:  # a read-only home: the next build compiles again, as this one did
            pass
