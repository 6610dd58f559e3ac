"""One Markdown file of the guide: its front matter, title and body.

Reading never fails on content: what is wrong with a file (bytes that are not text, front matter
that does not parse or never closes, unknown keys) is recorded on the page as problems, and the
page still exists with whatever could be read, so one mistake is reported once and does not hide
the page from the nav, from links, or from the checks of its body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from confluence_sync.errors import Problem
from confluence_sync.source.frontmatter import PageMeta, key_line, split_front_matter
from confluence_sync.source.h1 import first_h1

LARGE_PAGE = 1024 * 1024  # bytes of Markdown above which a page is slow to load in Confluence
BOM = "\ufeff"


@dataclass(frozen=True)
class SourcePage:
    """A guide page read from disk, before conversion."""

    path: Path  # absolute
    rel: str  # repo-relative, posix
    meta: PageMeta
    title: str
    body: str  # Markdown without front matter (an H1 used as title is blanked out)
    line_offset: int  # lines removed above ``body``, so reported lines match the file
    title_line: int | None = None  # where the title was written (front matter or H1)
    problems: tuple[Problem, ...] = ()  # what is wrong with the file (errors and warnings)


def read_page(path: Path, rel: str, *, strict: bool = False) -> SourcePage:
    """Read one page; every problem found is on the returned page, none is raised."""
    text, problems = _read_text(path.read_bytes(), rel)
    front = split_front_matter(text, rel, strict=strict)
    problems.extend(front.problems)
    meta, body, title_line = front.meta, front.body, None
    title = meta.title
    if title is not None:
        title_line = key_line(text.partition("\n")[2], "title")
    else:
        title, body, h1_line = _take_h1(body)
        title_line = h1_line + front.offset if h1_line else None
    if title is None:
        stem = path.stem if path.stem.lower() not in ("index", "readme") else path.parent.name
        title = title_from_name(stem)
    if not body.strip() and title_line is None and not any(p.level == "error" for p in problems):
        message = "page is empty; it is published as an empty page"
        problems.append(Problem(rel, message, None, "warning"))
    return SourcePage(path, rel, meta, title, body, front.offset, title_line, tuple(problems))


def _read_text(raw: bytes, rel: str) -> tuple[str, list[Problem]]:
    """The file as text (a leading byte-order mark removed, line ends normalised), or "" with an
    error when it is not a UTF-8 text file at all."""
    problems: list[Problem] = []
    if len(raw) > LARGE_PAGE:
        size = len(raw) / (1024 * 1024)
        message = f"page is {size:.1f} MB; Confluence pages that large load slowly"
        problems.append(Problem(rel, message, None, "warning"))
    if b"\x00" in raw:
        return "", [Problem(rel, "not a text file (it contains NUL bytes); is it really Markdown?")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return "", [Problem(rel, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})", line)]
    return text.removeprefix(BOM).replace("\r\n", "\n"), problems


def title_from_name(name: str) -> str:
    """``incident-response_101`` → ``Incident response 101``: what a person would type."""
    words = re.sub(r"[-_]+", " ", name).strip()
    return words[:1].upper() + words[1:] if words else name


def _take_h1(body: str) -> tuple[str | None, str, int | None]:
    """Use the first H1 (``source.h1``) as the title and blank its lines; also returns the line
    number of the heading in ``body``."""
    heading = first_h1(body)
    if heading is None:
        return None, body, None
    lines = body.split("\n")
    lines[heading.start : heading.end] = [""] * (heading.end - heading.start)
    return heading.text, "\n".join(lines), heading.start + 1
