"""Reading storage-format XML: qualified ``ac:``/``ri:`` names, macro parameters, text."""

from __future__ import annotations

import re

from lxml import etree

from confluence_sync.localwiki.store.storage_format import AC, RI


def ac(name: str) -> str:
    return f"{{{AC}}}{name}"


def ri(name: str) -> str:
    return f"{{{RI}}}{name}"


def macro_params(macro: etree._Element) -> dict[str, str]:
    return {p.get(ac("name"), ""): text_of(p).strip() for p in macro.findall(ac("parameter"))}


def text_of(el: etree._Element) -> str:
    """All text inside ``el`` (lxml's stubs type itertext loosely, hence the str())."""
    return "".join(str(t) for t in el.itertext())


def visible_text(el: etree._Element) -> str:
    """Text a reader sees: macro parameters (e.g. an anchor inside a heading) are left out."""
    parts = [el.text or ""]
    for child in el:
        if child.tag != ac("parameter"):
            parts.append(visible_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def slug(text: str) -> str:
    """A heading's id for the view's table of contents; never empty, so links always land."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"
