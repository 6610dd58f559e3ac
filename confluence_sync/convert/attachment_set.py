"""The files a page carries as attachments, named uniquely on that page.

Confluence keys attachments by file name per page, so ``a/diagram.png`` and ``b/diagram.png`` on
one page would overwrite each other. The second distinct file gets ``diagram-2.png``; the same file
(or identical content) referenced twice keeps one attachment.
"""

from __future__ import annotations

import hashlib
from pathlib import Path, PurePosixPath

from confluence_sync.convert.storage_doc import Attachment


def file_sha256(path: Path) -> str:
    """Hex digest of a file, or "" when it cannot be read (the caller reports why)."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 16), b""):
                digest.update(block)
    except OSError:
        return ""
    return digest.hexdigest()


class FileDigests:
    """``file_sha256`` remembered by path, for one site: a diagram shown on many pages is read
    once. Files are assumed not to change while the site is converted."""

    def __init__(self) -> None:
        self._known: dict[Path, str] = {}

    def sha256(self, path: Path) -> str:
        known = self._known.get(path)
        if known is None:
            known = self._known[path] = file_sha256(path)
        return known


class AttachmentSet:
    """Ordered, de-duplicated attachments of one page."""

    def __init__(self, digests: FileDigests | None = None) -> None:
        self._by_path: dict[Path, Attachment] = {}
        self._by_name: dict[str, Attachment] = {}
        self._sha256 = digests.sha256 if digests is not None else file_sha256

    def add(self, path: Path) -> Attachment:
        """Record ``path`` and return the attachment (with the page-unique name) to link to."""
        known = self._by_path.get(path)
        if known is not None:
            return known
        sha = self._sha256(path)
        same_content = next(
            (
                a
                for a in self._by_name.values()
                if sha and a.sha256 == sha and a.filename == path.name
            ),
            None,
        )
        if same_content is not None:
            self._by_path[path] = same_content
            return same_content
        attachment = Attachment(self._free_name(path.name), path, sha)
        self._by_path[path] = attachment
        self._by_name[attachment.filename] = attachment
        return attachment

    def _free_name(self, name: str) -> str:
        if name not in self._by_name:
            return name
        pure = PurePosixPath(name)
        number = 2
        while f"{pure.stem}-{number}{pure.suffix}" in self._by_name:
            number += 1
        return f"{pure.stem}-{number}{pure.suffix}"

    def items(self) -> tuple[Attachment, ...]:
        return tuple(self._by_name.values())
