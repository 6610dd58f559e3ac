"""Plain text → Markdown source that the forward converter reads back as the same text.

Only what would otherwise change meaning is escaped, so pulled prose stays readable: emphasis and
code markers, brackets, pipes, what starts a block at the beginning of a line, entity-like ``&``,
raw-HTML-like ``<``, and what the GFM autolink extension would turn into a link.
"""

from __future__ import annotations

import re

_INLINE = re.compile(
    r"[\\`*\[\]|~^{]"  # always (``~sub~``, ``^sup^``, ``{#id}`` attribute lists included)
    r"|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])"  # underscore that could delimit emphasis
    r"|<(?=[A-Za-z/!?])"  # raw HTML or autolink
    r"|&(?=#?[A-Za-z0-9]+;)"  # entity reference
    r"|=(?==)|(?<==)="  # ``==mark==``
    r"|\+(?=\+)|(?<=\+)\+"  # ``++keys++``
    r"|:(?=[A-Za-z][A-Za-z0-9_+-]*:)"  # ``:emoji:``
    r"|(?<=[A-Za-z0-9.+_-])@"  # e-mail autolink
    r"|(?<=https)\:|(?<=http)\:|(?<=mailto)\:|(?<=xmpp)\:"  # protocol autolink
    r"|(?<=www)\.",  # www autolink
    re.IGNORECASE,
)
_LINE_START = re.compile(r"^([#>+\-=!?:/]|\d{1,9}(?=[.)]))")
_NEWLINE_SPACES = re.compile(r"[ \t\r]*\n[ \t\r\n]*")


def collapse(text: str) -> str:
    """Line breaks without the spaces around them (trailing spaces would make a hard break).

    The forward converter writes the source's soft line breaks into the text; keeping them keeps
    the pulled file's lines where they were. Spaces inside a line stay: heading anchors count them.
    """
    return _NEWLINE_SPACES.sub("\n", text)


def escape_text(text: str, *, line_start: bool) -> str:
    """Escape ``text`` for inline Markdown; ``line_start``: it begins a line of the output.
    A lone CR is a line ending to Markdown, so it is one here too (and escaped like one)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    escaped = _INLINE.sub(lambda m: "\\" + m.group(0), text)
    lines = escaped.split("\n")
    for index, line in enumerate(lines):
        if index or line_start:
            lines[index] = _escape_line_start(line)
    return "\n".join(lines)


def _escape_line_start(line: str) -> str:
    match = _LINE_START.match(line)
    if match is None:
        return line
    if match.group(1).isdigit():
        end = match.end()
        return line[:end] + "\\" + line[end:]
    return "\\" + line


def code_span(code: str, *, in_table: bool = False) -> str:
    """A code span holding ``code`` exactly: enough backticks, padded where CommonMark strips."""
    code = code.replace("\r", " ").replace("\n", " ")
    if not code:
        return ""
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    ticks = "`" * (longest + 1)
    pad = code[0] == "`" or code[-1] == "`" or (code[0] == code[-1] == " " and code.strip() != "")
    space = " " if pad else ""
    if in_table:
        code = code.replace("|", "\\|")
    return f"{ticks}{space}{code}{space}{ticks}"


def link_destination(url: str) -> str:
    """A link destination; angle brackets when it has spaces or parentheses."""
    if not url:
        return "<>"
    if re.search(r"[\s()<>\\]", url) is None:
        return url
    return "<" + re.sub(r"([<>\\])", r"\\\1", url).replace("\n", "%0A") + ">"


def link_title(title: str) -> str:
    """A quoted link title, on one line (a blank line inside it would end the paragraph)."""
    title = re.sub("[\x00-\x1f\x7f\x85\u2028\u2029]", " ", title)
    return '"' + title.replace("\\", "\\\\").replace('"', '\\"') + '"'


def fence_for(content: str, char: str = "`") -> str:
    """An opening fence longer than any fence-like run in ``content``."""
    longest = max((len(run) for run in re.findall(rf"{re.escape(char)}+", content)), default=0)
    return char * max(3, longest + 1)
