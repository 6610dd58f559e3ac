"""The HTML view for people: ``{base}/spaces/KEY`` and ``{base}/spaces/KEY/pages/ID/slug``.

Server-rendered, no JavaScript: a page tree on the left, the page rendered from storage format
on the right. It reads the same store as the REST API and is neither logged nor faulted. Its
URLs are a werkzeug ``Map``, like the API's, so the two are routed the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import quote

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from confluence_sync.localwiki.html.page_layout import page_html, shell, space_list_page

if TYPE_CHECKING:
    from confluence_sync.localwiki.app import WikiState

ViewHandler = Callable[..., "Response | None"]

_URLS = Map(
    [
        Rule("/", endpoint="spaces"),
        Rule("/spaces", endpoint="spaces"),
        Rule("/spaces/<key>", endpoint="space"),
        Rule("/spaces/<key>/pages/<page_id>", endpoint="page"),
        Rule("/spaces/<key>/pages/<page_id>/<path:slug>", endpoint="page"),
        # An attachment's name is whatever the upload's file part called it: the createAttachment
        # request body (POST /wiki/rest/api/content/{id}/child/attachment in the vendored
        # tests/fixtures/specs/confluence-cloud-v1-current.json) puts no rule on it, so a name
        # may hold "/" ("../.git/config"); its download link encodes it (%2F), and the name is
        # the whole rest of the path.
        Rule("/download/attachments/<page_id>/<path:filename>", endpoint="download"),
    ],
    strict_slashes=False,
    merge_slashes=False,
)


class HtmlView:
    """Answers browser requests under the site's context path; None for anything else."""

    def __init__(self, state: WikiState) -> None:
        self.state = state
        self.handlers: dict[str, ViewHandler] = {
            "spaces": self.spaces,
            "space": self.space,
            "page": self.page,
            "download": self.download,
        }

    def __call__(self, request: Request) -> Response | None:
        assert self.state.site is not None
        context = self.state.site.context
        if not request.path.startswith(context + "/") and request.path != context:
            return None
        adapter = _URLS.bind("localhost", path_info=request.path[len(context) :] or "/")
        try:
            endpoint, args = adapter.match(method="GET")
        except HTTPException:
            return None
        return self.handlers[str(endpoint)](**args)

    def spaces(self) -> Response:
        return _html(space_list_page(self.state))

    def space(self, key: str) -> Response | None:
        """A space's home page (or a note that it has none)."""
        space = self.state.store.space(key)
        if space is None:
            return None
        home = self.state.store.content(space.homepage_id) if space.homepage_id else None
        if home is None:
            return _html(shell(self.state, key, None, "<p>This space has no home page.</p>"))
        return _html(page_html(self.state, home))

    def page(self, key: str, page_id: str, slug: str = "") -> Response | None:
        if self.state.store.space(key) is None:
            return None
        row = self.state.store.content(page_id)
        if row is None or row.status != "current" or row.space_key != key:
            return _html(shell(self.state, key, None, "<p>No such page.</p>"), 404)
        return _html(page_html(self.state, row))

    def download(self, page_id: str, filename: str) -> Response | None:
        for attachment in self.state.store.children(page_id, "attachment"):
            if attachment.title == filename:
                disposition = f"inline; filename*=UTF-8''{quote(filename)}"
                return Response(
                    attachment.data or b"",
                    content_type=attachment.media_type,
                    headers={"Content-Disposition": disposition},
                )
        return None


def _html(text: str, status: int = 200) -> Response:
    return Response(text, status=status, content_type="text/html; charset=utf-8")
