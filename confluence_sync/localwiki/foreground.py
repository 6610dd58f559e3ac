"""``confluence-sync wiki serve``: run the local wiki in the foreground until Ctrl-C."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from confluence_sync.errors import ConfluenceSyncError
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
    token: str = "admin"
    faults: Faults = field(default_factory=Faults)


def serve(options: ServeOptions, echo: Callable[[str], None]) -> None:
    """Start the wiki, tell the user how to reach it, and block until interrupted."""
    wiki = LocalWiki(
        options.data,
        mode=options.mode,
        spaces=options.spaces or ("DEV",),
        user=options.user,
        token=options.token,
        host=options.host,
        port=options.port,
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
    echo(f"Data:   {options.data}")
    echo("Use it with:")
    echo(
        f"  export CONFLUENCE_URL={base} CONFLUENCE_USER={options.user} "
        f"CONFLUENCE_TOKEN={options.token}"
    )
    if options.host not in ("127.0.0.1", "localhost", "::1"):
        echo(f"Warning: listening on {options.host}, reachable from other machines.")
    echo("Press Ctrl-C to stop.")
    try:
        wiki.serve_forever()
    except KeyboardInterrupt:
        wiki.stop()
        echo("Stopped.")
