"""Confluence's rules for page titles and labels, applied before anything is sent.

A title or label Confluence refuses fails a sync half-way (the page is not written and its
children then fail too), so ``check`` refuses the same input first. Two views of each rule live
here: ``title_problem``/``label_problem`` are what ``check`` enforces (slightly stricter where
Confluence would accept something that breaks our links), and ``confluence_accepts_title``/
``confluence_accepts_label`` restate Confluence's documented rules alone, so a test can show that
everything Confluence refuses is refused by ``check`` first.
"""

from __future__ import annotations

import unicodedata

MAX_TITLE = 255  # Confluence: "Title cannot be longer than 255 characters"
MAX_LABEL = 255
LABEL_FORBIDDEN = frozenset("!#&()*,.:;<>?@[]^")


def confluence_accepts_title(title: str) -> bool:
    """Confluence's documented rule: a title is not blank and at most 255 characters."""
    return bool(title.strip()) and len(title) <= MAX_TITLE


def confluence_accepts_label(label: str) -> bool:
    """Confluence's documented rule: a label is not empty, at most 255 characters, without
    whitespace and without any of ``! # & ( ) * , . : ; < > ? @ [ ] ^``."""
    return (
        bool(label)
        and len(label) <= MAX_LABEL
        and not any(ch.isspace() or ch in LABEL_FORBIDDEN for ch in label)
    )


def title_problem(title: str) -> str | None:
    """Why ``check`` refuses a page title, or None.

    Control characters are refused too: Confluence keeps them in a title, but links to the page
    are written in XML, which cannot carry most of them, so every link to it would break.
    """
    if not title.strip():
        return "title is empty"
    if len(title) > MAX_TITLE:
        return (
            f"title is {len(title)} characters; Confluence allows at most {MAX_TITLE}: "
            f"'{title[:40]}…'"
        )
    bad = next((ch for ch in title if unicodedata.category(ch) == "Cc"), None)
    if bad is not None:
        return f"title contains the control character U+{ord(bad):04X}: {title!r}"
    return None


def label_problem(label: str) -> str | None:
    """Why Confluence would refuse a label, or None (checked on the lowercased form)."""
    if not label:
        return "label is empty"
    if len(label) > MAX_LABEL:
        return f"label is {len(label)} characters; Confluence allows at most {MAX_LABEL}"
    if any(ch.isspace() for ch in label):
        return f"label {label!r} contains whitespace; Confluence labels are single words (use -)"
    bad = sorted({ch for ch in label if ch in LABEL_FORBIDDEN})
    if bad:
        return f"label {label!r} contains {' '.join(bad)}, which Confluence does not allow"
    if any(unicodedata.category(ch) == "Cc" for ch in label):
        return f"label {label!r} contains a control character"
    return None


def normal_label(label: str) -> str:
    """Confluence stores labels in lower case; sending them lowercased keeps our comparison of
    desired and remote labels exact."""
    return label.lower()
