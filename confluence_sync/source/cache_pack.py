"""The conversion cache's file: every entry of a run in one file, each behind its own checksum.

One file rather than one per page because creating files is what a cold run paid most for
besides parsing (an inode per page; on some file systems a millisecond each), while reading or
writing a few more bytes costs nothing. Entries are still read one at a time, by offset, so a
warm run holds one entry's bytes at once, not the file's.

Layout: the entries' JSON payloads one after another, then an index (JSON: name → offset,
length, SHA-256 of the payload), then a fixed-size trailer line with the index's own SHA-256 and
offset. A file whose trailer or index does not check out is treated as empty; an entry whose
bytes do not match its checksum is a miss. Either way nothing in it is half-trusted.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

from confluence_sync.state_dir import make_dirs

log = logging.getLogger(__name__)

MAGIC = b"confluence-sync-pack-1"
TEMP_PREFIX = ".pack-"  # a file being written, renamed into place when complete
_TRAILER = len(MAGIC) + 1 + 64 + 1 + 16 + 1  # magic, space, index sha, space, offset, newline

Slot = tuple[int, int, str]  # offset, length, sha256 of the payload


class PackReader:
    """Reads entries of an existing pack file; a missing or damaged file reads as empty."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.index: dict[str, Slot] = {}
        self._file: BinaryIO | None = None
        try:
            self._file = path.open("rb")
            self.index = _read_index(self._file)
        except OSError:
            self.close()
        except (ValueError, TypeError, KeyError, IndexError):
            log.info("conversion cache %s is damaged; ignored", path)
            self.index = {}

    def payload(self, name: str) -> bytes | None:
        """The bytes stored under ``name``, if they are there and match their checksum."""
        slot = self.index.get(name)
        if slot is None or self._file is None:
            return None
        offset, length, sha = slot
        try:
            self._file.seek(offset)
            data = self._file.read(length)
        except OSError:
            return None
        if len(data) != length or hashlib.sha256(data).hexdigest() != sha:
            log.info("conversion cache entry %s is damaged; ignored", name)
            return None
        return data

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def _read_index(file: BinaryIO) -> dict[str, Slot]:
    """The index behind the trailer, checked; raises ``ValueError`` when anything is off."""
    file.seek(0, os.SEEK_END)
    size = file.tell()
    if size < _TRAILER:
        raise ValueError("too short")
    file.seek(size - _TRAILER)
    magic, sha, offset_text = file.read(_TRAILER).rstrip(b"\n").split(b" ")
    offset = int(offset_text)
    if magic != MAGIC or not 0 <= offset <= size - _TRAILER:
        raise ValueError("not a pack")
    file.seek(offset)
    raw = file.read(size - _TRAILER - offset)
    if hashlib.sha256(raw).hexdigest().encode() != sha:
        raise ValueError("index checksum")
    index = json.loads(raw)
    slots: dict[str, Slot] = {}
    for name, (start, length, digest) in dict(index).items():
        if not (isinstance(start, int) and isinstance(length, int) and isinstance(digest, str)):
            raise TypeError("bad slot")
        if start < 0 or length < 0 or start + length > offset:
            raise ValueError("slot out of range")
        slots[str(name)] = (start, length, digest)
    return slots


class PackWriter:
    """Writes a new pack next to ``path``; ``finish`` puts it in place in one rename, so a
    reader sees the old file or the new one, never a mix."""

    def __init__(self, path: Path) -> None:
        make_dirs(path.parent)
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=TEMP_PREFIX)
        self.path = path
        self._temp = Path(temp)
        self._file = os.fdopen(handle, "wb")
        self._index: dict[str, Slot] = {}
        self._offset = 0

    def add(self, name: str, payload: bytes) -> None:
        self._file.write(payload)
        self._index[name] = (self._offset, len(payload), hashlib.sha256(payload).hexdigest())
        self._offset += len(payload)

    def finish(self) -> None:
        index = json.dumps(self._index, separators=(",", ":")).encode()
        sha = hashlib.sha256(index).hexdigest().encode()
        self._file.write(index + b"".join([MAGIC, b" ", sha, b" ", b"%016d" % self._offset, b"\n"]))
        self._file.close()
        os.replace(self._temp, self.path)

    def abandon(self) -> None:
        self._file.close()
        self._temp.unlink(missing_ok=True)
