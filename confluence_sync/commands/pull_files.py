"""Where ``pull`` may write, and what: the wiki decides none of it.

A page's edit lands in that page's own Markdown file; an attachment the edit added lands in the
page's own image folder (``images/<page>/`` beside the page), under its own base name, which must
be a plain file name of a kind a guide shows or links. Anything else refuses the page, naming it
and the attachment: an attachment name is text any wiki editor chooses, and Confluence accepts
names that are paths (``../.git/config``), dot-files, or other pages' sources (``index.md``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from confluence_sync.errors import AttachmentTooLarge, AuthError, RemoteError
from confluence_sync.pages import PageId
from confluence_sync.publish.gateway import Gateway
from confluence_sync.reverse import NewAttachment

# Kinds of file a page shows or offers for download. Not Markdown, YAML or HTML (sources the
# tools read or publish as pages), not SVG (a script-capable image when opened directly).
ATTACHMENT_SUFFIXES = frozenset(
    {
        *(".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".ico"),
        *(".pdf", ".txt", ".csv", ".log", ".json", ".zip", ".gz"),
        *(".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp", ".drawio"),
    }
)
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _+.-]{0,99}")


class Refused(Exception):
    """The page's edit is not pulled: the message says which attachment and why."""


@dataclass(frozen=True)
class SavedFile:
    """An attachment to write: where, and its bytes (empty in a dry run)."""

    target: Path
    data: bytes


def attachment_folder(page_key: str) -> str:
    """The page's own image folder, relative to the page's folder: ``images/<page name>``."""
    return f"images/{PurePosixPath(page_key).stem}"


def name_refusal(filename: str) -> str | None:
    """Why ``filename`` may not be saved from the wiki, or None for a safe base name."""
    if "/" in filename or "\\" in filename:
        return "it holds a path separator"
    if filename.startswith("."):
        return "it starts with a dot"
    if ".." in filename:
        return "it holds '..'"
    if not _SAFE_NAME.fullmatch(filename) or filename != filename.strip():
        return "it uses characters other than letters, digits, space, '_', '+', '.' and '-'"
    if PurePosixPath(filename).suffix.lower() not in ATTACHMENT_SUFFIXES:
        return (
            "pull saves only images and documents (" + ", ".join(sorted(ATTACHMENT_SUFFIXES)) + ")"
        )
    return None


@dataclass(frozen=True)
class AttachmentFetch:
    """What checking and downloading a page's new attachments needs."""

    gateway: Gateway
    content_dir: Path
    max_bytes: int
    dry_run: bool


def fetch_new(
    fetch: AttachmentFetch, page_id: PageId, page_file: Path, new: Sequence[NewAttachment]
) -> list[SavedFile]:
    """The page's new attachments, checked and (unless a dry run) downloaded; raises
    ``Refused`` for the first one that may not be saved. Nothing is written here."""
    saved = []
    for attachment in new:
        shown = attachment.filename  # shown with !r: repr escapes control characters
        why = name_refusal(attachment.filename)
        if why is not None:
            raise Refused(f"attachment {shown!r} is not saved: {why}")
        target = page_file.parent / attachment.path
        if fetch.content_dir.resolve() not in target.resolve().parents:
            raise Refused(f"attachment {shown!r} would be saved outside the content folder")
        if target.exists() or target.is_symlink():  # never over a file the repository has
            raise Refused(f"attachment {shown!r} would replace {target.name}, already in the repo")
        data = b"" if fetch.dry_run else _download(fetch, page_id, attachment.filename, shown)
        saved.append(SavedFile(target, data))
    return saved


def _download(fetch: AttachmentFetch, page_id: PageId, filename: str, shown: str) -> bytes:
    """The attachment's bytes; the size the wiki reports is checked before downloading, and the
    bytes received after (a server may not say, or say wrong)."""
    try:
        data = fetch.gateway.download_attachment(page_id, filename, fetch.max_bytes)
    except AuthError:
        raise
    except AttachmentTooLarge as exc:
        raise Refused(_too_large(shown, exc.size, fetch.max_bytes)) from exc
    except RemoteError as exc:
        raise Refused(f"attachment {shown!r} could not be downloaded: {exc}") from exc
    if len(data) > fetch.max_bytes:
        raise Refused(_too_large(shown, len(data), fetch.max_bytes))
    return data


def _too_large(shown: str, size: int, limit: int) -> str:
    return (
        f"attachment {shown!r} is {size / 2**20:.1f} MiB, over the {limit / 2**20:g} MiB limit "
        "(pull_max_attachment_mib)"
    )


def write_saved(files: Sequence[SavedFile]) -> None:
    for file in files:
        file.target.parent.mkdir(parents=True, exist_ok=True)
        file.target.write_bytes(file.data)
