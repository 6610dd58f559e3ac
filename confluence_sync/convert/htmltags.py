"""The HTML allowlist: what each tag becomes in storage format, and what content it holds.

Only the markup written here ever reaches the output, with only the attributes read here
(``colspan``, ``rowspan``, ``start``, and a ``<span>``'s text and background colour, which
Confluence's storage format keeps as coloured text); every other attribute (``on*``, ``style``,
``class`` …) is dropped by construction. Links and images are not in the table: they go
through ``links`` like Markdown links, so relative targets are resolved and checked the same way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from confluence_sync.convert import macros

# What an open element accepts directly; decides where text and Markdown blocks may go.
INLINE = "inline"  # text and inline tags (p, headings, em …)
MIXED = "mixed"  # text and blocks alike (td, th, li)
BLOCK = "block"  # blocks; loose text gets an implicit paragraph (blockquote, details body)
STRUCTURE = "structure"  # only particular children (table, tr, ul, ol)
TRANSPARENT = "transparent"  # no markup of its own; its parent decides (div, span, unknown)


@dataclass(frozen=True)
class TagRule:
    open: str
    close: str
    content: str
    block: bool = False  # a block-level element: ends an implicit paragraph


def _inline(tag: str) -> TagRule:
    return TagRule(f"<{tag}>", f"</{tag}>", INLINE)


TAGS: Mapping[str, TagRule] = MappingProxyType(
    {
        **{t: _inline(t) for t in ("em", "strong", "u", "sub", "sup", "small", "kbd", "code")},
        "b": _inline("strong"),
        "i": _inline("em"),
        "ins": _inline("u"),
        **dict.fromkeys(("s", "del", "strike"), TagRule(macros.STRUCK_OPEN, "</span>", INLINE)),
        "mark": TagRule(macros.HIGHLIGHT_OPEN, "</span>", INLINE),
        "p": TagRule("<p>", "</p>", INLINE, block=True),
        **{f"h{n}": TagRule(f"<h{n}>", f"</h{n}>", INLINE, block=True) for n in range(1, 7)},
        "pre": TagRule("<pre>", "</pre>", INLINE, block=True),
        "blockquote": TagRule("<blockquote>", "</blockquote>", BLOCK, block=True),
        "ul": TagRule("<ul>", "</ul>", STRUCTURE, block=True),
        "ol": TagRule("<ol>", "</ol>", STRUCTURE, block=True),
        "li": TagRule("<li>", "</li>", MIXED, block=True),
        "table": TagRule("<table><tbody>", "</tbody></table>", STRUCTURE, block=True),
        **dict.fromkeys(("thead", "tbody", "tfoot"), TagRule("", "", STRUCTURE, block=True)),
        "tr": TagRule("<tr>", "</tr>", STRUCTURE, block=True),
        "td": TagRule("<td>", "</td>", MIXED, block=True),
        "th": TagRule("<th>", "</th>", MIXED, block=True),
        "div": TagRule("", "", TRANSPARENT, block=True),
        "span": TagRule("", "", TRANSPARENT),
    }
)
SECTIONS = frozenset({"thead", "tbody", "tfoot"})
CELLS = frozenset({"td", "th"})
LISTS = frozenset({"ul", "ol"})
SILENT_VOID = frozenset({"wbr", "col", "source", "track", "param", "area"})  # nothing lost


def _positive(value: str | None) -> int | None:
    try:
        number = int((value or "").strip())
    except ValueError:
        return None
    return number if 0 < number < 1000 else None


def open_markup(name: str, attrs: Mapping[str, str]) -> str:
    """The opening markup of an allowlisted tag, with the few attributes storage keeps."""
    rule = TAGS[name]
    if name in CELLS:
        spans = "".join(
            f' {key}="{number}"'
            for key in ("colspan", "rowspan")
            if (number := _positive(attrs.get(key))) not in (None, 1)
        )
        return f"<{name}{spans}>"
    if name == "ol":
        start = _positive(attrs.get("start"))
        return f'<ol start="{start}">' if start not in (None, 1) else "<ol>"
    return rule.open


# A colour as CSS writes it: #rgb / #rrggbb, rgb()/rgba() with numbers, or a colour name. Anything
# else (url(), expressions, var()) is not a colour and is dropped.
_COLOUR = re.compile(
    r"#[0-9a-f]{3}(?:[0-9a-f]{3})?"
    r"|rgba?\(\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*(?:,\s*(?:0|1|0?\.\d+)\s*)?\)"
    r"|[a-z]{3,20}",
    re.IGNORECASE,
)
_COLOUR_PROPERTIES = ("color", "background-color")


def span_colours(style: str) -> tuple[str, tuple[str, ...]]:
    """A ``<span style>`` reduced to the text and background colours Confluence shows (as its
    editor writes them, ``color: …;``), and the declarations dropped (to warn about)."""
    kept: list[str] = []
    dropped: list[str] = []
    for declaration in style.split(";"):
        prop, _, value = (part.strip() for part in declaration.partition(":"))
        if not prop:
            continue
        prop = prop.lower()
        if prop == "background":
            prop = "background-color"
        if prop in _COLOUR_PROPERTIES and _COLOUR.fullmatch(value):
            kept.append(f"{prop}: {value.replace(' ', '')};")
        else:
            dropped.append(prop)
    return " ".join(kept), tuple(dropped)


def coloured_span(style: str) -> TagRule:
    """The rule of a ``<span>`` whose colours are kept (``span_colours``)."""
    return TagRule(f'<span style="{style}">', "</span>", INLINE)
