"""``confluence-sync wiki serve``: run the local wiki in the foreground until Ctrl-C.

Without a token from the user a random one is generated at each start and printed once, with
the URL: a well-known default password on a laptop's open port is an invitation.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from confluence_sync.errors import ConfluenceSyncError
from confluence_sync.localwiki.access import host_name, is_loopback
from confluence_sync.localwiki.faults import Faults
from confluence_sync.localwiki.server import LocalWiki


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8090
    data: Path = Path(".confluence-sync/wiki")
    mode: Literal["cloud", "server"] = "cloud"
    spaces: tuple[str, ...] = ("DEV",)
    user: str = "admin"
    token: str | None = None  # None: a fresh random token
    faults: Faults = field(default_factory=Faults)
    allowed_hosts: tuple[str, ...] = ()


def serve(options: ServeOptions, echo: Callable[[str], None]) -> None:
    """Start the wiki, tell the user how to reach it, and block until interrupted."""
    token = options.token or secrets.token_urlsafe(18)
    wiki = LocalWiki(
        options.data,
        mode=options.mode,
        spaces=options.spaces or ("DEV",),
        user=options.user,
        token=token,
        host=options.host,
        port=options.port,
        allowed_hosts=options.allowed_hosts,
    )
    try:
        base = wiki.start()
    except OSError as exc:
        raise ConfluenceSyncError(
            f"{exc}: the address is in use or not allowed"
            " (try another --port, or --port 0 for a free one)"
        ) from exc
    wiki.faults = options.faults
    first = (options.spaces or ("DEV",))[0]
    echo(f"Local wiki ({options.mode} mode) serving {base}")
    echo(f"Browse: {base}/spaces/{first}")
    echo("Use it with:")
    echo(f"  export CONFLUENCE_URL={base} CONFLUENCE_USER={options.user} CONFLUENCE_TOKEN={token}")
    if not is_loopback(host_name(options.host)):
        echo(
            f"Warning: listening on {options.host}, reachable from other machines;"
            " the browser view asks for the user and token above."
        )
    echo("Press Ctrl-C to stop.")
    try:
        wiki.serve_forever()
    except KeyboardInterrupt:
        wiki.stop()
        echo("Stopped.")
