"""What a wiki editor must not bring into the repository through ``pull``.

The wiki is untrusted input: any editor of the space can shape a page, and ``pull`` turns it into
files that the next ``sync`` (and MkDocs) reads with the repository's rights. So, before and
after the page becomes Markdown:

- a tree too deep to walk is refused as a whole (``TooDeep``), never a crash;
- ``html`` macros are removed and reported: raw HTML is an admin's decision in the wiki, never a
  thing to carry into a repository that republishes it;
- a link or image may point at the web (``http``, ``https``, ``mailto``), at this page
  (``#anchor``) or at a site path, never at a file by a relative path (the forward converter
  would read that file and upload it) nor with a script-capable scheme;
- include markers other tools expand before Markdown is parsed (pymdown snippets ``--8<--``,
  mkdocstrings ``:::``, Jinja ``{% %}``, ``{* *}`` includes) are neutralised in the output, code
  blocks included, because they are expanded there too.
"""

from __future__ import annotations

import re

from lxml import etree

from confluence_sync.convert.canonical import parse_storage, remove_element
from confluence_sync.reverse.names import macro_name

MAX_DEPTH = 64  # nesting a person can make in the editor is far below this
_REFUSED_MACROS = frozenset({"html", "html-include", "iframe"})
_WEB = re.compile(r"^(?:https?://|mailto:)", re.IGNORECASE)
_IMAGE_WEB = re.compile(r"^https?://", re.IGNORECASE)
_SCRIPT = re.compile(r"^(?:javascript|vbscript|data):")
# ``--8<--`` (any dash count) starting a line: pymdown snippets and our converter expand it;
# ``;`` in front is the escaped form both show as written.
_SNIPPET = re.compile(r"^([ \t]*)(?=-+8<-+)", re.MULTILINE)
_DIRECTIVE = re.compile(r"^([ \t>]*):(?=::)", re.MULTILINE)  # mkdocstrings ``::: module``
_TEMPLATE = re.compile(r"\{(?=[%*])")  # Jinja ``{% include %}``, ``{* file *}`` includes
_ZWSP = "\u200b"


class TooDeep(Exception):
    """The page nests elements deeper than ``MAX_DEPTH``: refused rather than walked."""


def check_depth(root: etree._Element) -> None:
    """Raise ``TooDeep`` for a tree nested deeper than ``MAX_DEPTH`` (walked without recursion)."""
    stack = [(root, 0)]
    while stack:
        element, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise TooDeep(f"the page nests elements more than {MAX_DEPTH} deep")
        stack.extend((child, depth + 1) for child in element)


def check_storage_depth(storage: str) -> None:
    """``check_depth`` for a storage body, before any reader that walks it recursively."""
    check_depth(parse_storage(storage))


def drop_refused_macros(root: etree._Element) -> list[str]:
    """Remove every ``html`` (and like) macro, wherever it is; one message per macro removed."""
    found = [e for e in root.iter() if macro_name(e) in _REFUSED_MACROS]
    for element in found:
        remove_element(element)
    return [
        f"the {macro_name(e)} macro was left out: raw HTML from the wiki is not pulled"
        for e in found
    ]


def link_refusal(href: str, *, image: bool = False) -> str | None:
    """Why a link (or image source) from the wiki may not become a Markdown link, or None."""
    squeezed = re.sub(r"[\x00-\x20]", "", href).lower()
    if _SCRIPT.match(squeezed):
        return f"a {squeezed.partition(':')[0]}: address"
    if (_IMAGE_WEB if image else _WEB).match(href):
        return None
    if not image and href.startswith("#"):
        return None
    if href.startswith("/") and not href.startswith("//") and not _dot_segment(href):
        return None  # a site path: a web link for the converter, never a file
    scheme = re.match(r"^([A-Za-z][\w+.-]*):", href)
    return f"the {scheme.group(1)}: scheme" if scheme else "a path into the repository"


def _dot_segment(path: str) -> bool:
    return any(part.startswith(".") for part in path.split("?")[0].split("/"))


def neutralise_markers(markdown: str) -> tuple[str, int]:
    """``markdown`` with include markers made inert, and how many there were.

    ``--8<--`` gets its escape (``;--8<--``, shown as written); ``:::`` and ``{%``/``{*`` get a
    zero-width space, which no include syntax accepts and no reader sees."""
    count = 0

    def bump(replacement: str) -> str:
        nonlocal count
        count += 1
        return replacement

    text = _SNIPPET.sub(lambda m: bump(m.group(1) + ";"), markdown)
    text = _DIRECTIVE.sub(lambda m: bump(m.group(1) + ":" + _ZWSP), text)
    text = _TEMPLATE.sub(lambda m: bump("{" + _ZWSP), text)
    return text, count
