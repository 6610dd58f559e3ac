"""Space content templates over REST v1 ``/rest/api/template`` (Cloud and Data Center alike).

REST v2 has no template endpoints, so a v2 gateway uses these v1 ones too. One read per run
(``GET /template/page?spaceKey=&expand=body``, paged) gives every template with its body and
description, which is all ``plan.template_plan`` needs; a write is one POST or PUT.
Reference: https://developer.atlassian.com/cloud/confluence/rest/v1/api-group-template/
"""

from __future__ import annotations

from typing import Any

from confluence_sync.errors import RemoteError
from confluence_sync.plan.template_plan import DesiredTemplate, RemoteTemplate
from confluence_sync.publish.atlassian import AtlassianGateway

TEMPLATES_PER_READ = 100


def _remote(item: Any) -> RemoteTemplate:
    try:
        body = item.get("body") or {}
        storage = body.get("storage") or {}
        return RemoteTemplate(
            id=str(item["templateId"]),
            name=str(item["name"]),
            description=str(item.get("description") or ""),
            body=str(storage.get("value") or ""),
        )
    except (KeyError, AttributeError, TypeError) as exc:
        raise RemoteError(f"unexpected template in the answer: {exc!r}") from None


def _payload(space: str, template: DesiredTemplate, labels: tuple[str, ...]) -> dict[str, Any]:
    return {
        "name": template.name,
        "templateType": "page",
        "description": template.description,
        "space": {"key": space},
        "body": {"storage": {"value": template.body, "representation": "storage"}},
        "labels": [{"prefix": "global", "name": name} for name in labels],
    }


class SpaceTemplates:
    """Reads and writes the content templates of one space through a gateway's transport
    (its session, authentication and retry policy)."""

    def __init__(self, gateway: AtlassianGateway) -> None:
        self._gw = gateway

    def in_space(self, space: str) -> list[RemoteTemplate]:
        params = {"spaceKey": space, "expand": "body.storage", "limit": TEMPLATES_PER_READ}
        return [_remote(item) for item in self._gw._pages("rest/api/template/page", params)]

    def get(self, template_id: str) -> RemoteTemplate:
        return _remote(self._gw._get(f"rest/api/template/{template_id}"))

    def create(
        self, space: str, template: DesiredTemplate, labels: tuple[str, ...]
    ) -> RemoteTemplate:
        data = _payload(space, template, labels)
        return _remote(self._gw._call("POST", "rest/api/template", idempotent=False, json=data))

    def update(
        self, space: str, template_id: str, template: DesiredTemplate, labels: tuple[str, ...]
    ) -> RemoteTemplate:
        data = {"templateId": template_id, **_payload(space, template, labels)}
        return _remote(self._gw._call("PUT", "rest/api/template", idempotent=False, json=data))
