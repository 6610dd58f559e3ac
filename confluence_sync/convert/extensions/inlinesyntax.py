"""Inline syntax of pymdown-extensions that mdit-py-plugins lacks: ``==mark==``, ``^^insert^^``,
``++ctrl+alt+del++`` keys and ``:emoji:`` shortcodes.

(``~sub~`` and ``^sup^`` come from mdit-py-plugins; ``~~del~~`` is markdown-it's strikethrough.)
"""

from __future__ import annotations

from collections.abc import Callable

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

from confluence_sync.convert.extensions.emoji import EMOJI, is_icon

_KEY_NAMES = {
    "ctrl": "Ctrl",
    "alt": "Alt",
    "shift": "Shift",
    "cmd": "Cmd",
    "command": "Cmd",
    "meta": "Meta",
    "win": "Win",
    "option": "Option",
    "del": "Del",
    "delete": "Delete",
    "backspace": "Backspace",
    "enter": "Enter",
    "return": "Return",
    "esc": "Esc",
    "escape": "Esc",
    "tab": "Tab",
    "space": "Space",
    "insert": "Insert",
    "home": "Home",
    "end": "End",
    "page-up": "Page Up",
    "page-down": "Page Down",
    "arrow-up": "\u2191",
    "arrow-down": "\u2193",
    "arrow-left": "\u2190",
    "arrow-right": "\u2192",
    "caps-lock": "Caps Lock",
    "print-screen": "Print Screen",
}


def _span_rule(marker: str, name: str, tag: str) -> Callable[[StateInline, bool], bool]:
    """A rule for ``<marker>text<marker>`` whose content is parsed as inline Markdown."""
    size = len(marker)

    def rule(state: StateInline, silent: bool) -> bool:
        start, maximum = state.pos, state.posMax
        if not state.src.startswith(marker, start) or start + 2 * size >= maximum:
            return False
        if state.src[start + size].isspace() or state.src[start + size] == marker[0]:
            return False
        end = state.src.find(marker, start + size)
        while end != -1 and (state.src[end - 1].isspace() or state.src[end - 1] == "\\"):
            end = state.src.find(marker, end + 1)
        if end == -1 or end + size > maximum:
            return False
        if not silent:
            state.pos, state.posMax = start + size, end
            state.push(f"{name}_open", tag, 1).markup = marker
            state.md.inline.tokenize(state)
            state.push(f"{name}_close", tag, -1).markup = marker
        state.pos, state.posMax = end + size, maximum
        return True

    return rule


def _keys(state: StateInline, silent: bool) -> bool:
    """``++ctrl+alt+del++``: key names joined by ``+``, each shown as a key cap."""
    start = state.pos
    if not state.src.startswith("++", start):
        return False
    end = state.src.find("++", start + 2)
    if end == -1 or end > state.posMax:
        return False
    content = state.src[start + 2 : end]
    keys = content.split("+")
    if not content or any(not key or any(c.isspace() for c in key) for key in keys):
        return False
    if not silent:
        token = state.push("keys", "kbd", 0)
        token.meta = {"keys": [_KEY_NAMES.get(k.lower(), k[:1].upper() + k[1:]) for k in keys]}
        token.markup = "++"
    state.pos = end + 2
    return True


def _emoji(state: StateInline, silent: bool) -> bool:
    """``:name:`` → the emoji; icon shortcodes become an ``icon`` token (shown as text, with a
    warning); anything else is left to the text rule, so ``12:30:45`` stays as written."""
    start = state.pos
    if state.src[start] != ":":
        return False
    end = state.src.find(":", start + 1)
    name = state.src[start + 1 : end] if end != -1 else ""
    if not name or not all(c.isalnum() or c in "_+-" for c in name) or end >= state.posMax:
        return False
    if name in EMOJI:
        kind, content = "text", EMOJI[name]
    elif is_icon(name):
        kind, content = "icon", state.src[start : end + 1]
    else:
        return False
    if not silent:
        state.push(kind, "", 0).content = content
    state.pos = end + 1
    return True


def inline_syntax_plugin(md: MarkdownIt) -> None:
    """Registers the rules ahead of emphasis (``^^`` before ``^sup^`` takes a single ``^``)."""
    md.inline.ruler.before("emphasis", "mark", _span_rule("==", "mark", "mark"))
    md.inline.ruler.before("emphasis", "ins", _span_rule("^^", "ins", "u"))
    md.inline.ruler.before("emphasis", "keys", _keys)
    md.inline.ruler.before("emphasis", "emoji", _emoji)
