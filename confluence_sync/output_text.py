"""Text from the wiki made safe to print: one function for every title, name and path shown.

Titles, attachment names and editor names are written by whoever edits the space. Printed raw, a
line feed or carriage return in one starts a new line of the log, and a line beginning with
``::error`` or ``::add-mask::`` is a command to the GitHub Actions runner; escape sequences recolour
or rewrite a terminal. So control and format characters are shown escaped, as Python writes
them (``\\n``, ``\\r``, ``\\x1b``, ``\\u202e``), and the text stays on its one line.
"""

from __future__ import annotations

import unicodedata

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# control, format (bidirectional overrides, zero-width), line and paragraph separators
_ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


def printable(text: str, *, tabs: bool = False) -> str:
    """``text`` with every control or format character escaped; ``tabs`` keeps tabs (a diff
    line's indentation)."""
    if text.isprintable():
        return text
    return "".join(_shown(c, tabs) for c in text)


def _shown(char: str, tabs: bool) -> str:
    if char == "\t" and tabs:
        return char
    if unicodedata.category(char) not in _ESCAPED_CATEGORIES:
        return char
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
