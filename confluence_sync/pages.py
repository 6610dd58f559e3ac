"""The values that flow from the repo side into planning: what a page should look like.

These are frozen dataclasses because they are built once from validated input and then only
compared; the planner must never mutate what the converter produced.
"""

from __future__ import annotations

import hashlib
import json
import re
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NewType

PageKey = NewType("PageKey", str)
"""Stable identity of a managed page: its repo-relative source path (posix), e.g.
``content/resources/checklist.md``; a container page made for a folder uses the folder path with a
trailing slash (``content/guides/``); generated pages use their source file
(``content/template/postmortem.yaml``) or a ``generated:`` name (``generated:postmortems``)."""


@dataclass(frozen=True)
class AttachmentFile:
    """A local file to be attached to a page; uploaded only when its hash differs from the
    wiki's."""

    filename: str
    path: Path
    sha256: str


@dataclass(frozen=True)
class PackedText:
    """Text kept zlib-compressed. A sync holds every page's storage body from conversion to its
    last write, though most pages are never written; compressed, a site's bodies take about a
    quarter of the memory (storage XHTML repeats itself a lot)."""

    data: bytes

    @classmethod
    def of(cls, text: str) -> PackedText:
        return cls(zlib.compress(text.encode("utf-8", "surrogatepass"), PACK_LEVEL))

    def text(self) -> str:
        return zlib.decompress(self.data).decode("utf-8", "surrogatepass")


PACK_LEVEL = 1  # the fastest level: higher ones save a few percent more at twice the time


@dataclass(frozen=True, init=False)
class DesiredPage:
    """One page as the repo wants it, fully converted and validated.

    The body is kept packed and unpacked when read (``body``). Two pages are equal when
    everything but the body is and their digests (which cover the body) are.
    """

    key: PageKey
    title: str
    packed: PackedText = field(repr=False, compare=False)  # the storage-format XHTML
    parent: PageKey | None = None  # None: the configured root (``parent`` in config)
    labels: tuple[str, ...] = ()
    attachments: tuple[AttachmentFile, ...] = ()
    weight: int = 0
    digest: str = ""
    content_sha: str = field(default="", init=False, repr=False, compare=False)

    def __init__(
        self,
        key: PageKey,
        title: str,
        body: str | PackedText | None = None,
        parent: PageKey | None = None,
        labels: tuple[str, ...] = (),
        attachments: tuple[AttachmentFile, ...] = (),
        weight: int = 0,
        digest: str = "",
        packed: PackedText | None = None,
    ) -> None:
        """``body``: the storage XHTML, as text or already packed; ``packed`` is what
        ``dataclasses.replace`` hands back when the body is not replaced."""
        if body is None:
            if packed is None:
                raise TypeError("DesiredPage needs a body")
            body = packed
        text = body if isinstance(body, str) else None
        if isinstance(body, PackedText) and not digest:
            text = body.text()  # unpacked once, for both digests
        set_field = object.__setattr__
        set_field(self, "key", key)
        set_field(self, "title", title)
        set_field(self, "packed", PackedText.of(body) if isinstance(body, str) else body)
        set_field(self, "parent", parent)
        set_field(self, "labels", labels)
        set_field(self, "attachments", attachments)
        set_field(self, "weight", weight)
        set_field(self, "digest", digest or page_digest(self, text))
        # computed while the body is at hand: unpacking a large page again costs four copies
        set_field(self, "content_sha", _digest(_content(self, text)) if text is not None else "")

    @property
    def body(self) -> str:
        """The storage-format XHTML."""
        return self.packed.text()

    @property
    def content_digest(self) -> str:
        """Digest of what one page write sends (everything but the attachments): a stamp with
        this digest and without ``digest`` marks a write whose attachments did not finish."""
        return self.content_sha or _digest(_content(self))

    @property
    def attachment_hashes(self) -> dict[str, str]:
        return {a.filename: a.sha256 for a in self.attachments}


def _content(page: DesiredPage, body: str | None = None) -> dict[str, object]:
    return {
        "title": page.title,
        "body": page.body if body is None else body,
        "parent": page.parent,
        "labels": sorted(page.labels),
    }


def _digest(payload: dict[str, object]) -> str:
    raw = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(raw).hexdigest()


def page_digest(page: DesiredPage, body: str | None = None) -> str:
    """Digest of everything we write for a page, so an unchanged page can be skipped without
    fetching its body. The parent is part of it because a move is a change. ``body``: the
    page's body when the caller has it unpacked already."""
    payload = _content(page, body)
    payload["attachments"] = sorted((a.filename, a.sha256) for a in page.attachments)
    return _digest(payload)


INCIDENT_PREFIX = "incident:"
"""Source keys of incident pages (``incident:<title>``): they have no file in the guide."""

PageId = NewType("PageId", str)
"""Confluence's numeric page id, always handled as a string (as the REST API sends it)."""

STAMP_KEY = "confluence-sync"
"""Key of the content property that marks a page as ours and records our last write."""


@dataclass(frozen=True)
class SyncStamp:
    """Value of our content property: what we last wrote and the page version that write made.

    It is written last, after the page and its attachments, so it only ever claims what landed:
    ``digest`` is empty until the attachments are up (``content`` then says the page itself is
    written), ``attachments`` are the hashes we uploaded, and ``labels`` the labels we own, so
    labels people added are never removed. A page whose version moved past ``version`` by
    versions that are not ours was edited by someone else.
    """

    source: str
    digest: str
    version: int
    tool: str
    content: str = ""
    labels: tuple[str, ...] = ()
    attachments: tuple[tuple[str, str], ...] = ()  # (filename, sha256), sorted
    site: str = ""  # the repository the page belongs to; "" for stamps older than sites
    # The page this stamp was written on ("" when written in the create request, before the
    # id existed, and in older stamps): a copy of the page carries the stamp under another id.
    page_id: str = ""
    # Where our last write placed the page ("" in older stamps): a page under another parent
    # was moved in the wiki.
    parent: str = ""

    @property
    def attachment_hashes(self) -> dict[str, str]:
        return dict(self.attachments)


MESSAGE_MARK = "confluence-sync: "
"""Starts (or, after a ``--message``, ends in brackets) every version message we write."""

_DIGEST_TOKEN = re.compile(r"(.*) \(digest ([0-9a-f]{64})\)", re.DOTALL)


def is_our_message(message: str, source: str) -> bool:
    """A version written by us for ``source`` (with or without the digest it claims)."""
    found = _DIGEST_TOKEN.fullmatch(message)
    if found is not None:
        message = found.group(1)
    ours = MESSAGE_MARK + source
    return message == ours or message.startswith(ours + " @ ") or message.endswith(f"[{ours}]")


def message_digest(message: str, source: str) -> str | None:
    """The page digest a version message of ours claims for ``source``, if it claims one."""
    found = _DIGEST_TOKEN.fullmatch(message)
    if found is None or not is_our_message(found.group(1), source):
        return None
    return found.group(2)


def with_digest(message: str, digest: str) -> str:
    """A version message that also stamps the write (see ``RemotePage``)."""
    return f"{message} (digest {digest})"


@dataclass(frozen=True)
class RemotePage:
    """A page as the wiki has it, without its body (reading bodies is the expensive part).

    ``message`` is the current version's message. An update that changes only the page (not
    its labels or attachments) is written in one request whose message ends in the digest it
    completes, and leaves the content property alone: such a version stamps the page as if the
    property had been rewritten, so ``stamp`` here already carries that version and digest.
    """

    id: PageId
    title: str
    version: int
    parent_id: PageId | None
    labels: tuple[str, ...] = ()
    stamp: SyncStamp | None = None
    stamp_version: int | None = None  # version of the content property itself, needed to update it
    last_editor: str = ""
    last_edited: str = ""  # ISO-8601 timestamp of the current version
    url: str = ""
    ancestors: tuple[PageId, ...] = ()  # root first, direct parent last
    message: str = ""
    # The current version's author is the account the tool writes as (``version.by`` against
    # ``/user/current``). Gateways always set it; pages built in memory are ours by default.
    by_us: bool = True

    def __post_init__(self) -> None:
        stamp = self.stamp
        if stamp is None or self.version <= stamp.version or not self.message or not self.by_us:
            return  # a message is a hint, never proof: only our own account's version stamps
        digest = message_digest(self.message, stamp.source)
        if digest is not None:
            stamped = replace(stamp, version=self.version, digest=digest, content="")
            object.__setattr__(self, "stamp", stamped)

    @property
    def source(self) -> str:
        """Our stamp's repo path ("" when unstamped): orphans are reported by the file they
        came from, which is gone from the repo."""
        return self.stamp.source if self.stamp is not None else ""
