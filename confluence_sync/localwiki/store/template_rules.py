"""Space content templates (the Create menu's templates) and the rules Confluence applies to them.

Behaviour from Atlassian's REST v1 reference, "Template" group
(https://developer.atlassian.com/cloud/confluence/rest/v1/api-group-template/) and the vendored
``ContentTemplateCreate`` / ``ContentTemplateUpdate`` schemas (``tests/fixtures/specs/``):
``name``, ``templateType`` and ``body`` are required, ``templateType`` is ``page``, the body is
given in one representation (we keep ``storage``), a description is at most 255 characters on
create and 100 on update, an update names the template by ``templateId`` and a space template
keeps its ``space.key``. Templates have no versions: a PUT replaces the template whole.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from confluence_sync.localwiki.api_error import ApiError, bad_request
from confluence_sync.localwiki.store.database import Store
from confluence_sync.localwiki.store.label_rules import label_problem

CREATE_DESCRIPTION_MAX = 255  # ContentTemplateCreate.description maxLength
UPDATE_DESCRIPTION_MAX = 100  # ContentTemplateUpdate.description maxLength


@dataclass(frozen=True)
class TemplateRow:
    """One space template as stored: its storage body and labels (names)."""

    id: str
    space_key: str
    name: str
    description: str
    body: str
    labels: tuple[str, ...]


@dataclass(frozen=True)
class _Fields:
    name: str
    description: str
    body: str
    labels: tuple[str, ...]
    space_key: str


def _fields(data: Mapping[str, Any], description_max: int) -> _Fields:
    """The checked fields of a create or update body, or the 400 Confluence answers."""
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise bad_request("A template name is required.")
    if data.get("templateType") != "page":
        raise bad_request("templateType must be 'page'.")
    body = data.get("body")
    storage = body.get("storage") if isinstance(body, dict) else None
    value = storage.get("value") if isinstance(storage, dict) else None
    if not isinstance(value, str):
        raise bad_request("The template body must be given in storage representation.")
    description = data.get("description") or ""
    if not isinstance(description, str) or len(description) > description_max:
        raise bad_request(f"The description must be at most {description_max} characters.")
    space = data.get("space")
    key = space.get("key") if isinstance(space, dict) else None
    if not isinstance(key, str) or not key:
        raise bad_request("Only space templates are supported: space.key is required.")
    return _Fields(name.strip(), description, value, _labels(data.get("labels")), key)


def _labels(raw: Any) -> tuple[str, ...]:
    items = raw if isinstance(raw, list) else []
    names = []
    for item in items:
        name = str(item.get("name", "")).strip() if isinstance(item, dict) else ""
        problem = label_problem(name)
        if problem is not None:
            raise bad_request(problem)
        names.append(name.lower())
    return tuple(dict.fromkeys(names))


class Templates:
    """Create, replace, read and list the space templates."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def create(self, data: Mapping[str, Any]) -> TemplateRow:
        fields = _fields(data, CREATE_DESCRIPTION_MAX)
        with self.store.transaction():
            self._check_space(fields.space_key)
            self._check_unique(fields, None)
            row = TemplateRow(
                str(self.store.next_id()),
                fields.space_key,
                fields.name,
                fields.description,
                fields.body,
                fields.labels,
            )
            self._write(row)
            return row

    def update(self, data: Mapping[str, Any]) -> TemplateRow:
        """A PUT replaces name, description, body and labels; the space cannot change."""
        template_id = str(data.get("templateId") or "")
        fields = _fields(data, UPDATE_DESCRIPTION_MAX)
        with self.store.transaction():
            current = self.get(template_id)
            if fields.space_key != current.space_key:
                raise bad_request("A template cannot move to another space.")
            self._check_unique(fields, template_id)
            row = TemplateRow(
                template_id,
                current.space_key,
                fields.name,
                fields.description,
                fields.body,
                fields.labels,
            )
            self._write(row)
            return row

    def get(self, template_id: str) -> TemplateRow:
        rows = self.store.rows("SELECT * FROM templates WHERE id=?", template_id)
        if not rows:
            raise ApiError(404, f"Could not find template with id {template_id}")
        return _row(rows[0])

    def in_space(self, space_key: str) -> list[TemplateRow]:
        rows = self.store.rows(
            "SELECT * FROM templates WHERE space_key=? ORDER BY name, id", space_key
        )
        return [_row(r) for r in rows]

    def delete(self, template_id: str) -> None:
        with self.store.transaction():
            self.get(template_id)
            self.store.execute("DELETE FROM templates WHERE id=?", template_id)

    def _check_space(self, key: str) -> None:
        if self.store.space(key) is None:
            raise ApiError(404, f"No space with key : {key}")

    def _check_unique(self, fields: _Fields, own_id: str | None) -> None:
        """Confluence refuses a second template of the same name in one space."""
        for other in self.in_space(fields.space_key):
            if other.name == fields.name and other.id != own_id:
                raise bad_request(f"A template with name '{fields.name}' already exists.")

    def _write(self, row: TemplateRow) -> None:
        self.store.execute(
            "INSERT OR REPLACE INTO templates(id, space_key, name, description, body, labels)"
            " VALUES(?, ?, ?, ?, ?, ?)",
            row.id,
            row.space_key,
            row.name,
            row.description,
            row.body,
            json.dumps(row.labels),
        )


def _row(raw: Any) -> TemplateRow:
    return TemplateRow(
        id=raw["id"],
        space_key=raw["space_key"],
        name=raw["name"],
        description=raw["description"],
        body=raw["body"],
        labels=tuple(json.loads(raw["labels"])),
    )
