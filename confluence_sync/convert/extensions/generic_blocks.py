"""pymdown-extensions' generic blocks: ``/// name | title`` … ``///``.

Newer MkDocs sites write admonitions, details, tabs and captions this way::

    /// warning | Back up first
        type: warning          (optional YAML options, indented, right after the header)

    Content, parsed as Markdown.
    ///

The closing fence has the opener's number of slashes; an outer block may use more slashes to
hold inner ones. The parser emits a ``generic_block`` node with the block's name, title and
options; ``panels.generic_block`` decides what it becomes in Confluence.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from mdit_py_plugins.utils import is_code_block

_HEADER = re.compile(r"^(/{3,})[ \t]*([A-Za-z][\w-]*)[ \t]*(?:\|[ \t]*(.*?))?[ \t]*$")


def _line(state: StateBlock, line: int) -> str:
    return state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]


def _closing_line(state: StateBlock, start: int, end: int, fence: str) -> int:
    """The line of the fence closing the block opened at ``start`` (``end`` if none)."""
    depth = 0
    for line in range(start + 1, end):
        if state.sCount[line] < state.blkIndent:
            if not state.isEmpty(line):
                return line  # dedented past the container: the block ends with it
            continue
        text = _line(state, line).rstrip()
        header = _HEADER.match(text)
        if header is not None and header.group(1) == fence:
            depth += 1
        elif text == fence:
            if depth == 0:
                return line
            depth -= 1
    return end


def _options(state: StateBlock, start: int, end: int) -> tuple[dict[str, Any], int]:
    """YAML options indented under the header, and the first content line after them."""
    line, indent = start + 1, state.sCount[start] + 4
    while line < end and not state.isEmpty(line) and state.sCount[line] >= indent:
        line += 1
    if line == start + 1:
        return {}, line
    text = "\n".join(_line(state, n) for n in range(start + 1, line))
    try:
        options = yaml.safe_load(text)
    except yaml.YAMLError:
        options = None
    return (options if isinstance(options, dict) else {}), line


def generic_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    begin = state.bMarks[start_line] + state.tShift[start_line]
    if is_code_block(state, start_line) or not state.src.startswith("///", begin):
        return False  # the second test is what most lines answer, without copying the line
    header = _HEADER.match(_line(state, start_line).rstrip())
    if header is None:
        return False
    if silent:
        return True
    fence, name, title = header.group(1), header.group(2).lower(), header.group(3)
    close = _closing_line(state, start_line, end_line, fence)
    options, content = _options(state, start_line, close)
    token = state.push("generic_block_open", "div", 1)
    token.map = [start_line, close]
    token.meta = {"name": name, "title": title, "options": options}
    old_parent, old_max = state.parentType, state.lineMax
    state.parentType, state.lineMax = "generic_block", close
    state.md.block.tokenize(state, content, close)
    state.parentType, state.lineMax = old_parent, old_max
    state.push("generic_block_close", "div", -1)
    closed = close < end_line and _line(state, close).rstrip() == fence
    state.line = close + 1 if closed else close
    return True


def generic_blocks_plugin(md: MarkdownIt) -> None:
    md.block.ruler.before("fence", "generic_block", generic_block)
