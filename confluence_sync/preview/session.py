"""``preview``: the guide as the wiki shows it, rebuilt and reloaded on every save.

The preview publishes into a private local wiki made for the session (a temporary folder,
deleted on exit), never to ``CONFLUENCE_URL`` and never into the embedded wiki's data under
``.confluence-sync/wiki``: the settings it builds with have no target at all, and the only
gateway it opens points at its own server. That server is the local wiki (the same HTML view as
``wiki serve``) with the live-reload layer of :mod:`confluence_sync.localwiki.live` in front.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from confluence_sync.config import Settings
from confluence_sync.errors import ConfluenceSyncError
from confluence_sync.localwiki.live import LATEST_PATH, LiveReload, LiveState
from confluence_sync.preview.rebuild import BuildSummary, PreviewBuilder
from confluence_sync.preview.watch import saved_files, watched

if TYPE_CHECKING:
    from confluence_sync.localwiki import LocalWiki

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PreviewOptions:
    """Always on loopback: the preview routes and problem pages ask for no credentials."""

    port: int = 8091  # 0: a free port


@dataclass(frozen=True)
class PreviewAddress:
    """Where the preview answers: the wiki's base URL and the page to open first."""

    base: str
    home: str
    latest: str


@dataclass(frozen=True)
class PreviewHooks:
    """What the command hears while the preview runs (the CLI prints; tests wait on these)."""

    on_ready: Callable[[PreviewAddress, BuildSummary], None] = lambda address, summary: None
    on_build: Callable[[BuildSummary], None] = lambda summary: None


# the target and its secrets: the preview never has one, so what they hold is not even read
TARGET_VARIABLES = frozenset({"CONFLUENCE_URL", "CONFLUENCE_USER", "CONFLUENCE_TOKEN"})


def preview_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment the preview's settings are read from: without the target."""
    return {name: value for name, value in environ.items() if name not in TARGET_VARIABLES}


def private_settings(settings: Settings, data_dir: Path) -> Settings:
    """The project's settings with every trace of a real target removed."""
    return settings.model_copy(
        update={"url": None, "user": None, "token": None, "local_data": data_dir}
    )


def run_preview(
    settings: Settings,
    options: PreviewOptions,
    hooks: PreviewHooks | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Serve the preview until ``stop`` is set (or the watcher is interrupted)."""
    from confluence_sync.publish.api_choice import open_gateway
    from confluence_sync.publish.retry import RetryPolicy
    from confluence_sync.publish.target import Target

    hooks = hooks or PreviewHooks()
    live = LiveState()
    wiki = _private_wiki(settings, options, live)
    private = private_settings(settings, wiki.data_dir)
    try:
        gateway = open_gateway(
            wiki.base_url, user=wiki.user, token=wiki.token, policy=RetryPolicy(), api=private.api
        )
        target = Target(
            wiki.base_url, private.space, True, wiki.data_dir, private.site, None, gateway.api
        )
        try:
            builder = PreviewBuilder(private, gateway, target, live)
            _serve(private, builder, wiki.base_url, hooks, stop or threading.Event())
        finally:
            gateway.close()
    finally:
        live.close()
        wiki.stop()


def _private_wiki(settings: Settings, options: PreviewOptions, live: LiveState) -> LocalWiki:
    """The session's own wiki, started: a temporary folder (removed by ``stop()``), a random
    token, and the live-reload layer in front of its view."""
    from confluence_sync.localwiki import LocalWiki

    wiki = LocalWiki(
        None,
        spaces=(settings.space,),
        token=secrets.token_urlsafe(18),
        host="127.0.0.1",
        port=options.port,
        middleware=lambda app: LiveReload(app, live),
    )
    try:
        wiki.start()
    except OSError as exc:
        raise ConfluenceSyncError(
            f"{exc}: the address is in use (try another --port, or --port 0 for a free one)"
        ) from exc
    return wiki


def _serve(
    settings: Settings,
    builder: PreviewBuilder,
    base: str,
    hooks: PreviewHooks,
    stop: threading.Event,
) -> None:
    """The first build, then one rebuild per batch of saved files."""
    batches = saved_files(watched(settings), stop)
    if next(batches, None) is None:  # stopped before the watcher started
        return
    first = builder.build()
    origin = base[: -len("/wiki")] if base.endswith("/wiki") else base
    address = PreviewAddress(base, f"{base}/spaces/{settings.space}", origin + LATEST_PATH)
    hooks.on_ready(address, first)
    for batch in batches:
        log.info("rebuilding after %s", ", ".join(sorted(settings.relative(p) for p in batch)))
        hooks.on_build(builder.build(batch))
