"""Inline comment markers: read them out of a wiki body and put them back into a new one.

A reviewer who selects text in Confluence and comments on it leaves
``<ac:inline-comment-marker ac:ref="…">selected text</ac:inline-comment-marker>`` in the page's
storage; the comment itself lives elsewhere and finds its place on the page through that ref.
Markers are not content (the repo's Markdown has no form for them, and ``canonical.py`` unwraps
them before bodies are compared), but a write that leaves them out orphans the comment. So every
write reads the markers of the body it replaces and wraps the same text in the new body again.

The new body is ours (converted from the repo) and is edited as a string, never re-serialised:
a marker is inserted only into a text run outside any tag, CDATA section or element whose text
is not page text (macro parameters, code bodies, task ids), and each marker spans one text run,
so the result is as well-formed as the input. A marker that spans formatting in the wiki
(``foo <strong>bar</strong>``) is read as one piece per text run with the same ref, which is how
Confluence itself splits a selection across elements.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from confluence_sync.convert.macros import attr

MARKER = "ac:inline-comment-marker"
_TOKEN = re.compile(
    r"<!\[CDATA\[.*?\]\]>|<!--.*?-->|<\?.*?\?>|<(?:[^>\"']|\"[^\"]*\"|'[^']*')*>|[^<]+|<",
    re.DOTALL,
)
_ATTRIBUTE = re.compile(r"([\w:.-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_NAME = re.compile(r"</?\s*([\w:.-]+)")
_CHARS = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);|[^&]+|&")
# Elements whose text is not page text a person can select: macro parameters, code bodies
# (CDATA anyway), task bookkeeping, link bodies kept as CDATA, and time/emoticon data.
_NOT_PAGE_TEXT = frozenset(
    {
        "ac:parameter",
        "ac:plain-text-body",
        "ac:plain-text-link-body",
        "ac:task-id",
        "ac:task-uuid",
        "ac:task-status",
        "ac:emoticon",
        "time",
    }
)


@dataclass(frozen=True)
class Marker:
    """One marked run of text: the comment's ref, the text, and where it began in the page's
    selectable text (so a text that occurs twice is put back at the nearer occurrence)."""

    ref: str
    text: str
    offset: int

    def describe(self) -> str:
        shown = self.text if len(self.text) <= 60 else self.text[:57] + "..."
        return f"comment {self.ref} on {shown!r}"


@dataclass(frozen=True)
class Placement:
    """A body with the markers put back, and those whose text is gone from it."""

    body: str
    lost: tuple[Marker, ...] = ()


@dataclass(frozen=True)
class _Run:
    """A text run of a body: where it sits in the raw string, the raw text, its decoded text,
    and where it begins in the selectable text."""

    start: int
    raw: str
    text: str
    offset: int
    markers: tuple[str, ...]  # the refs of the markers around it, outermost first

    def raw_offset(self, index: int) -> int:
        """Where decoded character ``index`` (or the end) starts in the body; computed only for
        the runs that get a marker, so a large page costs no per-character table."""
        decoded = 0
        for piece in _CHARS.finditer(self.raw):
            token = piece.group(0)
            width = len(html.unescape(token)) if _is_entity(token) else len(token)
            if decoded + width > index:
                inside = 0 if _is_entity(token) else index - decoded
                return self.start + piece.start() + inside
            decoded += width
        return self.start + len(self.raw)


def _tag_name(token: str) -> str:
    found = _NAME.match(token)
    return found.group(1) if found else ""


def _ref(token: str) -> str:
    for name, double, single in _ATTRIBUTE.findall(token):
        if name == "ac:ref":
            return html.unescape(double or single)
    return ""


def _is_entity(token: str) -> bool:
    return token.startswith("&") and len(token) > 1


def _decoded(raw: str) -> str:
    """Character references resolved one by one, exactly as ``_Run.raw_offset`` counts them."""
    return "".join(
        html.unescape(p.group(0)) if _is_entity(p.group(0)) else p.group(0)
        for p in _CHARS.finditer(raw)
    )


def _runs(storage: str) -> Iterator[_Run]:
    """The selectable text runs of a body, in document order."""
    stack: list[tuple[str, str | None]] = []
    offset = 0
    for token in _TOKEN.finditer(storage):
        value = token.group(0)
        if value.startswith("<![CDATA[") or value.startswith("<!--") or value.startswith("<?"):
            continue
        if value.startswith("<") and len(value) > 1:
            _track(stack, value)
            continue
        if any(name in _NOT_PAGE_TEXT for name, _ in stack):
            continue
        text = _decoded(value) if "&" in value else value
        refs = tuple(ref or "" for name, ref in stack if name == MARKER)
        yield _Run(token.start(), value, text, offset, refs)
        offset += len(text)


def _track(stack: list[tuple[str, str | None]], tag: str) -> None:
    """Keep the stack of open elements (leniently: a wiki body may be broken)."""
    name = _tag_name(tag)
    if tag.startswith("</"):
        for depth in range(len(stack) - 1, -1, -1):
            if stack[depth][0] == name:
                del stack[depth:]
                return
    elif not tag.endswith("/>") and not tag.startswith("<!"):
        stack.append((name, _ref(tag) if name == MARKER else None))


def markers_in(storage: str) -> tuple[Marker, ...]:
    """Every marked text run of a body (one per run: a marker across formatting gives several
    with the same ref). A marker around nothing selectable is kept with empty text, so it is
    reported rather than forgotten."""
    pieces = [Marker(ref, r.text, r.offset) for r in _runs(storage) for ref in r.markers]
    with_text = {m.ref for m in pieces if m.text.strip()}
    kept = [m for m in pieces if m.text.strip()]
    kept += [Marker(ref, "", 0) for ref in _marker_refs(storage) if ref not in with_text]
    return tuple(kept)


def _marker_refs(storage: str) -> list[str]:
    refs = []
    for token in _TOKEN.finditer(storage):
        value = token.group(0)
        if value.startswith("<") and not value.startswith("</") and _tag_name(value) == MARKER:
            refs.append(_ref(value))
    return list(dict.fromkeys(refs))


def has_markers(storage: str) -> bool:
    return MARKER in storage and bool(_marker_refs(storage))


def _pattern(text: str) -> re.Pattern[str] | None:
    words = text.split()
    if not words:
        return None
    return re.compile(r"\s+".join(re.escape(word) for word in words))


Span = tuple[int, int, int]  # run index, start and end in the run's decoded text


def _overlaps(a: Span, b: Span) -> bool:
    """Spans that cross; the same span twice is not crossing (two comments on one selection
    nest, as Confluence nests them)."""
    return a[0] == b[0] and a != b and a[1] < b[2] and b[1] < a[2]


def _choose(marker: Marker, runs: Sequence[_Run], taken: Sequence[Span]) -> Span | None:
    """The occurrence of the marker's text nearest to where it was, among those no other
    marker holds."""
    pattern = _pattern(marker.text)
    if pattern is None:
        return None
    best: tuple[int, Span] | None = None
    for index, run in enumerate(runs):
        if run.markers:
            continue
        for match in pattern.finditer(run.text):
            span = (index, match.start(), match.end())
            if any(_overlaps(span, other) for other in taken):
                continue
            distance = abs(run.offset + match.start() - marker.offset)
            if best is None or distance < best[0]:
                best = (distance, span)
    return best[1] if best else None


def place_markers(body: str, markers: Sequence[Marker]) -> Placement:
    """Wrap each marker's text in ``body`` again (nearest occurrence, one text run each);
    the markers whose text ``body`` no longer holds come back in ``lost``."""
    if not markers:
        return Placement(body)
    runs = list(_runs(body))
    placed: list[tuple[Span, Marker]] = []
    lost: list[Marker] = []
    for marker in markers:
        span = _choose(marker, runs, [s for s, _ in placed])
        if span is None:
            lost.append(marker)
        else:
            placed.append((span, marker))
    # (position, 0 for a closing tag / 1 for an opening one, order among equals, tag): at one
    # position closing tags go first, innermost (placed last) first; then openings, outermost
    # first, so markers on one selection nest.
    inserts: list[tuple[int, int, int, str]] = []
    for order, ((index, start, end), marker) in enumerate(placed):
        run = runs[index]
        inserts.append((run.raw_offset(end), 0, -order, f"</{MARKER}>"))
        opening = f'<{MARKER} ac:ref="{attr(marker.ref)}">'
        inserts.append((run.raw_offset(start), 1, order, opening))
    pieces: list[str] = []
    done = 0
    for position, _, _, tag in sorted(inserts):
        pieces += [body[done:position], tag]
        done = position
    pieces.append(body[done:])
    return Placement("".join(pieces), tuple(lost))


def keep_markers(old_body: str, new_body: str) -> Placement:
    """``new_body`` with the markers of ``old_body`` put back (the write path's one call)."""
    if MARKER not in old_body:  # most pages: nothing to parse
        return Placement(new_body)
    return place_markers(new_body, markers_in(old_body))
