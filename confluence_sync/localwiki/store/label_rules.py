"""Labels on content, with the naming rules Confluence enforces when a label is added."""

from __future__ import annotations

from typing import Any

from confluence_sync.localwiki.api_error import ApiError, bad_request
from confluence_sync.localwiki.store.database import Store
from confluence_sync.localwiki.store.page_rules import Pages

_BAD_LABEL_CHARS = frozenset("!#&()*,.:;<>?@[]^")
_LABEL_PREFIXES = ("global", "my", "team")
MAX_LABEL_LENGTH = 255


def label_problem(name: str) -> str | None:
    """Why Confluence would refuse ``name`` as a label, or None when it is valid.

    Confluence's rules for label names: no whitespace, none of ``! # & ( ) * , . : ; < > ? @
    [ ] ^``, at most 255 characters, stored in lower case (its label help: labels cannot contain
    spaces or those characters, and are shown lower-cased). The v1 OpenAPI spec documents the
    refusal on ``POST /content/{id}/label``: 400 "if the body contains labels with invalid
    characters or too many characters" (vendored in ``tests/fixtures/specs/``); the message
    Confluence sends is "'NAME' is not a valid label name.", and it refuses the whole request.
    """
    too_long = len(name) > MAX_LABEL_LENGTH
    if not name or too_long or any(ch.isspace() or ch in _BAD_LABEL_CHARS for ch in name):
        return f"'{name}' is not a valid label name."
    return None


class Labels:
    """Add and remove labels of existing content."""

    def __init__(self, store: Store, pages: Pages) -> None:
        self.store = store
        self.pages = pages

    def add(self, content_id: str, labels: list[dict[str, Any]]) -> None:
        """All or nothing: one invalid label refuses the whole request, as Confluence does."""
        with self.store.transaction():
            self.pages.get(content_id)
            checked = [self._checked(label) for label in labels]
            for prefix, name in checked:
                self.store.add_label(content_id, prefix, name)

    @staticmethod
    def _checked(label: dict[str, Any]) -> tuple[str, str]:
        name = str(label.get("name", "")).strip()
        prefix = str(label.get("prefix") or "global")
        problem = label_problem(name)
        if problem is not None:
            raise bad_request(problem)
        if prefix not in _LABEL_PREFIXES:
            raise bad_request(f"Invalid label prefix: {prefix}")
        return prefix, name.lower()

    def remove(self, content_id: str, name: str) -> None:
        self.pages.get(content_id)
        if not self.store.remove_label(content_id, name.lower()):
            raise ApiError(404, f"Label with name {name} is not found on content {content_id}")
