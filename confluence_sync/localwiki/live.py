"""Live reload for ``preview``: a WSGI layer in front of the local wiki's own application.

The wiki's HTML view stays exactly what ``wiki serve`` shows; this layer only adds what a writer
needs while editing: a tiny inline script on every HTML page (no external files) that listens to
server-sent events and reloads when a newer build exists, a ``/preview/latest`` redirect to the
page of the file saved last, and the problems of a failed build in place of the page they belong
to. It knows nothing about Markdown or builds: the preview tells it what happened through
:meth:`LiveState.publish`, and it imports nothing from the rest of the package.
"""

from __future__ import annotations

import html
import json
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from confluence_sync.localwiki.html.page_layout import shell

if TYPE_CHECKING:
    from confluence_sync.localwiki.app import WikiApp

EVENTS_PATH = "/preview/events"
LATEST_PATH = "/preview/latest"
_KEEPALIVE_SECONDS = 10.0
_PAGE_PATH = re.compile(r"/spaces/(?P<key>[^/]+)/pages/(?P<id>[^/]+)")
_BANNER_CSS = (
    "background:#ffebe6;border-bottom:2px solid #de350b;padding:.6em 1.2em;"
    "font-family:monospace;white-space:pre-wrap"
)


@dataclass(frozen=True)
class Notice:
    """One problem of a build, located in the repository (``path:line: message``)."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Build:
    """What the last build left: its number, the problems by page id (shown instead of the
    page), the problems no page is known for (shown above every page), and the path of the
    page of the file saved last."""

    generation: int = 0
    on_pages: Mapping[str, tuple[Notice, ...]] = field(default_factory=dict)
    unplaced: tuple[Notice, ...] = ()
    latest: str = ""

    @property
    def failed(self) -> bool:
        return bool(self.on_pages or self.unplaced)


class LiveState:
    """The current build, shared between the preview's builder thread and request threads."""

    def __init__(self) -> None:
        self._build = Build()
        self._changed = threading.Condition()
        self._closed = False

    @property
    def build(self) -> Build:
        with self._changed:
            return self._build

    def publish(self, build: Build) -> None:
        """Make ``build`` current and wake every open event stream."""
        with self._changed:
            self._build = build
            self._changed.notify_all()

    def close(self) -> None:
        """End every event stream (the server is about to stop)."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def wait(self, seen: int, timeout: float) -> Build | None:
        """The build once its generation differs from ``seen`` (None on timeout or close)."""
        with self._changed:
            self._changed.wait_for(lambda: self._closed or self._build.generation != seen, timeout)
            if self._closed or self._build.generation == seen:
                return None
            return self._build

    @property
    def closed(self) -> bool:
        with self._changed:
            return self._closed


class LiveReload:
    """WSGI middleware: preview routes, problem pages and the reload script over ``app``."""

    def __init__(self, app: WikiApp, live: LiveState) -> None:
        self.app = app
        self.live = live

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        request = Request(environ)
        return self.respond(request)(environ, start_response)

    def respond(self, request: Request) -> Response:
        # the Host check (a defence against DNS rebinding) applies here as in the wiki itself
        if not self.app.state.hosts.allows(request.headers.get("Host", "")):
            return self.app.respond(request)
        if request.path == EVENTS_PATH:
            return self._events()
        if request.path == LATEST_PATH:
            return self._latest()
        build = self.live.build
        problem_page = self._problem_page(request, build)
        response = problem_page or self.app.respond(request)
        if response.mimetype == "text/html" and request.method == "GET":
            _inject(response, build)
        return response

    def _latest(self) -> Response:
        """The page of the file saved last, or the space's home before any save."""
        site = self.app.state.site
        assert site is not None
        target = self.live.build.latest or site.context + "/spaces"
        return Response("", status=303, headers={"Location": target, "Cache-Control": "no-store"})

    def _problem_page(self, request: Request, build: Build) -> Response | None:
        """The page's problems in the wiki's own layout, instead of a stale rendering (only
        for the view's page URLs; the REST APIs are answered as always)."""
        site = self.app.state.site
        assert site is not None
        path = request.path
        view_page = path.startswith(site.context + "/spaces/") and request.method == "GET"
        found = _PAGE_PATH.match(path[len(site.context) :]) if view_page else None
        if found is None or found.group("id") not in build.on_pages:
            return None
        row = self.app.state.store.content(found.group("id"))
        if row is None:
            return None
        items = "".join(
            f"<li><code>{html.escape(str(n))}</code></li>" for n in build.on_pages[row.id]
        )
        content = (
            f'<h1>{html.escape(row.title)}</h1><div class="panel panel-warning" '
            'id="preview-problems"><div class="panel-title">This page did not build</div>'
            f"<ul>{items}</ul><p>Fix the file and save: the page comes back by itself.</p></div>"
        )
        text = shell(self.app.state, row.space_key, row, content)
        return Response(text, content_type="text/html; charset=utf-8")

    def _events(self) -> Response:
        """Server-sent events: one ``build`` event now, then one per newer build."""
        return Response(
            _stream(self.live, self.live.build),
            content_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
            direct_passthrough=True,
        )


def _stream(live: LiveState, first: Build) -> Iterator[bytes]:
    """The event stream of one open page; comments keep idle connections from timing out and
    let a closed tab be noticed (its next write fails)."""
    yield _event(first)
    seen = first.generation
    while not live.closed:
        build = live.wait(seen, _KEEPALIVE_SECONDS)
        if build is None:
            yield b": keep-alive\n\n"
            continue
        seen = build.generation
        yield _event(build)


def _event(build: Build) -> bytes:
    fields = {"generation": build.generation, "latest": build.latest, "ok": not build.failed}
    data = json.dumps(fields)
    return f"event: build\ndata: {data}\n\n".encode()


def _inject(response: Response, build: Build) -> None:
    """Add the reload script (and, after a failed build, a banner listing problems no page
    holds) to an HTML page of the view."""
    text = response.get_data(as_text=True)
    if "</body>" not in text:
        return
    script = (
        f"<script>(function(){{var seen={build.generation};"
        f'var events=new EventSource("{EVENTS_PATH}");'
        'events.addEventListener("build",function(e){'
        "if(JSON.parse(e.data).generation!==seen){events.close();location.reload();}});"
        "})();</script>"
    )
    banner = ""
    if build.unplaced:
        lines = "\n".join(html.escape(str(n)) for n in build.unplaced)
        banner = (
            f'<div id="preview-banner" style="{_BANNER_CSS}">The last build failed; '
            f"other pages show the last good build.\n{lines}</div>"
        )
    if banner and "</header>" in text:
        text = text.replace("</header>", "</header>" + banner, 1)
    response.set_data(text.replace("</body>", script + "</body>", 1))
    response.headers["Cache-Control"] = "no-store"
