"""The ``serve`` fixture of the client tests (helpers in ``client_runs``)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from client_runs import Mode, Served
from recording_proxy import RecordingProxy, self_signed
from wiki_serve_helpers import start_serve


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Any]:
    """``serve(mode, tls=False)`` starts a wiki and its proxy; all stop at the end."""
    started: list[tuple[Any, RecordingProxy]] = []

    def start(mode: Mode, *, tls: bool = False) -> Served:
        folder = tmp_path / f"wiki-{len(started)}"
        folder.mkdir()
        proc, base, _, (user, token) = start_serve(folder, "--mode", mode)
        origin = base.removesuffix("/wiki")
        if tls and shutil.which("openssl") is None:
            pytest.skip("the openssl command is needed for the TLS front this client needs")
        cert = self_signed(folder) if tls else None
        proxy = RecordingProxy(origin, cert)
        proxy.__enter__()
        started.append((proc, proxy))
        return Served(mode, base, user, token, proxy, cert[0] if cert else None)

    try:
        yield start
    finally:
        for proc, proxy in started:
            proxy.__exit__(None, None, None)
            proc.kill()
            proc.wait(10)
