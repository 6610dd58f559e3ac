"""Code blocks in rendered HTML, in the shapes Pygments, pymdownx.highlight and codehilite write
them: ``div.highlight`` (with a ``span.filename`` title), ``table.highlighttable`` with a line
number column, inline ``span.linenos`` numbers, and a bare ``pre > code``.

The code macro's text must be the code alone, so line numbers, line anchors and Pygments' empty
spans are taken out, and the first number is kept as the macro's ``firstline``.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml.etree import _Element


@dataclass(frozen=True)
class CodeBlock:
    text: str
    language: str | None
    title: str | None
    numbered: bool
    first_line: int


def text_of(el: _Element) -> str:
    """The text an element shows (its descendants' text, without its tail)."""
    return str(el.xpath("string()"))


def is_code_block(el: _Element) -> bool:
    """Whether ``el`` is the outermost element of one code block."""
    classes = (el.get("class") or "").split()
    if el.tag == "div" and ("highlight" in classes or "codehilite" in classes):
        return True
    if el.tag == "table" and "highlighttable" in classes:
        return True
    if el.tag == "div" and ("mermaid" in classes or "diagram" in classes):
        return True
    return el.tag == "pre"


def code_text(el: _Element) -> CodeBlock:
    """The code, language, title and numbering of the code block ``el`` (see is_code_block)."""
    language = _language(el)
    title_el = next((s for s in el.iter("span") if "filename" in _classes(s)), None)
    title = text_of(title_el).strip() if title_el is not None else None
    numbers = [n for n in el.iter() if _is_number(n)]
    first = _first_number(numbers)
    for number in numbers:
        drop_element(number)
    if title_el is not None:
        drop_element(title_el)
    code = next(iter(el.iter("code")), None)
    if code is None:
        pres = list(el.iter("pre"))
        code = pres[-1] if pres else el
    text = text_of(code)
    text = text[:-1] if text.endswith("\n") else text
    return CodeBlock(text, language, title or None, bool(numbers), first)


def _classes(el: _Element) -> list[str]:
    return (el.get("class") or "").split()


def _language(el: _Element) -> str | None:
    for node in el.iter():
        for cls in _classes(node):
            if cls.startswith("language-"):
                return cls.removeprefix("language-") or None
            if cls in ("mermaid", "diagram"):  # pymdownx's own docs call their fence "diagram"
                return cls
    return None


def _is_number(el: _Element) -> bool:
    classes = _classes(el)
    return "linenos" in classes or "linenodiv" in classes


def _first_number(numbers: list[_Element]) -> int:
    for number in numbers:
        digits = text_of(number).strip().split()
        if digits and digits[0].isdigit():
            return int(digits[0])
    return 1


def drop_element(el: _Element) -> None:
    """Remove ``el`` and what it holds, keeping the text after it."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail or ""
    previous = el.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(el)
