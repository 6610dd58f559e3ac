"""The REST API handlers of the local wiki (Confluence REST v1), one module per resource.

Handlers parse HTTP and shape JSON (``rest_json``); the decisions are made in ``store/``.
"""

from __future__ import annotations

from confluence_sync.localwiki.api import (
    attachment_routes,
    comment_routes,
    content_routes,
    copy_routes,
    label_routes,
    property_routes,
    search_routes,
    watch_routes,
)
from confluence_sync.localwiki.api.handler_context import Route


def rest_v1_routes() -> list[Route]:
    """Every REST v1 route the wiki serves (search first: ``/content/search`` is not an id)."""
    return (
        search_routes.routes()
        + content_routes.routes()
        + label_routes.routes()
        + property_routes.routes()
        + attachment_routes.routes()
        + comment_routes.routes()
        + watch_routes.routes()
        + copy_routes.routes()
    )
