"""Block syntax of MkDocs sites that mdit-py-plugins lacks: tabbed blocks (``=== "Title"``),
abbreviations (``*[HTML]: …``) and attribute lists after headings and paragraphs
(``{ #id .class }``); part of the ``extras`` extension.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from mdit_py_plugins.utils import is_code_block

_TAB_MARKERS = ("===!", "===+", "===")
_TAB_TITLE = re.compile(r'^\s+"(.*)"\s*$')
_ABBR = re.compile(r"^\*\[([^\]]+)\]:[ \t]*(.*)$")
_ATTR_LIST = re.compile(r"\s*\{:?\s*((?:[#.][\w:.-]+|[\w-]+=(?:\"[^\"]*\"|'[^']*'|\S+))\s*)+\}\s*$")
_ATTR_ID = re.compile(r"(?<![\w.])#([\w:.-]+)")


def _tab(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """``=== "Title"`` followed by content indented four spaces: one tab of a tab set."""
    if is_code_block(state, start_line):
        return False
    begin = state.bMarks[start_line] + state.tShift[start_line]
    if not state.src.startswith("===", begin, state.eMarks[start_line]):
        return False  # what most lines answer, without copying the line
    line = state.src[begin : state.eMarks[start_line]]
    marker = next((m for m in _TAB_MARKERS if line.startswith(m)), None)
    match = _TAB_TITLE.match(line[len(marker) :]) if marker else None
    if match is None:
        return False
    if silent:
        return True
    indent = state.sCount[start_line] + 4
    next_line = start_line + 1
    while next_line < end_line:
        empty = state.isEmpty(next_line)
        if not empty and state.sCount[next_line] < indent:
            break
        next_line += 1
    while next_line > start_line + 1 and state.isEmpty(next_line - 1):
        next_line -= 1
    token = state.push("tab_open", "div", 1)
    token.map, token.meta = [start_line, next_line], {"title": match.group(1)}
    old = state.parentType, state.lineMax, state.blkIndent
    state.parentType, state.lineMax, state.blkIndent = "tab", next_line, indent
    state.md.block.tokenize(state, start_line + 1, next_line)
    state.parentType, state.lineMax, state.blkIndent = old
    state.push("tab_close", "div", -1)
    state.line = next_line
    return True


ABBREVIATION_WORDS = "abbreviation_words"
"""``env`` key of a page converted in chunks (``chunks``): every abbreviation defined anywhere on
it. ``env["abbreviations"]`` then holds those not used yet, shared by the chunks in order."""


def _abbreviation(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """``*[HTML]: Hyper Text Markup Language``: remembered in ``env``, not shown."""
    if is_code_block(state, start_line):
        return False
    begin = state.bMarks[start_line] + state.tShift[start_line]
    match = _ABBR.match(state.src[begin : state.eMarks[start_line]])
    if match is None:
        return False
    if not silent:
        if ABBREVIATION_WORDS not in state.env:  # else a chunk: the page's were read already
            known = state.env.setdefault("abbreviations", {})
            known[match.group(1).strip()] = match.group(2).strip()
        state.push("abbreviation", "", 0).map = [start_line, start_line + 1]
        state.line = start_line + 1
    return True


def _expand_abbreviations(state: StateCore) -> None:
    """The first use of each abbreviation on the page reads "HTML (Hyper Text Markup Language)".

    Headings are left alone: their text is their anchor, computed before inline parsing.
    """
    known: dict[str, str] = state.env.get("abbreviations") or {}
    if not known:
        return
    words = state.env.get(ABBREVIATION_WORDS) or tuple(known)
    pattern = re.compile(
        r"(?<!\w)(" + "|".join(map(re.escape, sorted(words, key=len)[::-1])) + r")(?!\w)"
    )
    for index, token in enumerate(state.tokens):
        if token.type != "inline" or (index and state.tokens[index - 1].type == "heading_open"):
            continue
        for child in token.children or ():
            if child.type == "text" and known:
                child.content = pattern.sub(lambda m: _first_use(m.group(1), known), child.content)


def _first_use(word: str, known: dict[str, str]) -> str:
    title = known.pop(word, None)
    return f"{word} ({title})" if title else word


def _attribute_lists(state: StateCore) -> None:
    """``## Title { #id .class }``: the id replaces the heading's slug (as in MkDocs), a
    paragraph's id becomes an anchor; classes and other keys have no Confluence meaning."""
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "inline" or not index or "{" not in token.content:
            continue
        opener = tokens[index - 1]
        if opener.type not in ("heading_open", "paragraph_open"):
            continue
        match = _ATTR_LIST.search(token.content)
        if match is None or _inline_attrs(opener.type, token.content, match.start()):
            continue
        token.content = token.content[: match.start()]
        ids = _ATTR_ID.findall(match.group(0))
        if ids:
            opener.attrSet("id", ids[-1])


def _inline_attrs(opener: str, content: str, start: int) -> bool:
    """``![map](m.png){ width=300 }`` ending a paragraph: the list right after an image or link
    is that element's (the inline attribute parser takes it), not the paragraph's."""
    return opener == "paragraph_open" and start > 0 and content[start - 1] in ")]`"


def block_syntax_plugin(md: MarkdownIt) -> None:
    md.block.ruler.before("fence", "tab", _tab)
    md.block.ruler.before("reference", "abbreviation", _abbreviation, {"alt": ["paragraph"]})
    md.core.ruler.after("block", "attribute_lists", _attribute_lists)
    md.core.ruler.after("inline", "abbreviations", _expand_abbreviations)
