"""Real Confluence clients against ``wiki serve``: what every client test shares.

Each test starts ``confluence-sync wiki serve`` in a subprocess on an ephemeral port, puts a
recording proxy in front of it (TLS for clients that insist on https), runs a client twice as a
subprocess with its documented configuration, and reads the result back through the REST API.
A client that is not installed skips with the reason and the command that installs it.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pytest
import requests
from recording_proxy import RecordingProxy
from spec_contract import problems

SITES = Path(__file__).resolve().parent / "sites"
REPO = Path(__file__).resolve().parents[2]
INSTALL = "pip install -e '.[test,clients]'"
MD2CF_INSTALL = "python3 -m venv .venv-md2cf && .venv-md2cf/bin/pip install -e '.[clients-md2cf]'"
Mode = Literal["cloud", "server"]


def one_pixel_png() -> bytes:
    """A valid 1x1 PNG, so the sites carry an image without a binary file in the repo."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def copy_site(name: str, target: Path, image_dir: str = ".") -> Path:
    """A fresh copy of a site (clients write page ids back into the files), with its image."""
    shutil.copytree(SITES / name, target)
    (target / image_dir / "img.png").write_bytes(one_pixel_png())
    return target


def tool(name: str) -> str:
    """A client's command from this interpreter's environment, or a reported skip."""
    found = shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        pytest.skip(f"{name} is not installed (the clients extra): {INSTALL}")
    return found


def md2cf_tool(name: str) -> str:
    """md2cf pins requests==2.31.0 while markdown-to-confluence needs requests>=2.34, so md2cf
    and mkdocs-with-confluence (which depends on md2cf) live in their own environment."""
    venv = Path(os.environ.get("CONFLUENCE_SYNC_MD2CF_VENV", REPO / ".venv-md2cf"))
    found = shutil.which(name, path=str(venv / "bin"))
    if found is None:
        pytest.skip(f"{name} is not installed in {venv} (the clients-md2cf extra): {MD2CF_INSTALL}")
    return found


@dataclass
class Served:
    """A running ``wiki serve`` behind a recording proxy."""

    mode: Mode
    direct: str  # the wiki's own base URL (checks go here, unrecorded)
    user: str
    token: str
    proxy: RecordingProxy
    cert: Path | None = None

    @property
    def base(self) -> str:
        """The base URL a client is given: the proxy, with Cloud's ``/wiki``."""
        return self.proxy.origin + ("/wiki" if self.mode == "cloud" else "")

    def tls_env(self) -> dict[str, str]:
        """Trust the proxy's certificate through the standard OpenSSL and requests variables."""
        if self.cert is None:
            return {}
        return {"SSL_CERT_FILE": str(self.cert), "REQUESTS_CA_BUNDLE": str(self.cert)}

    def rest(self, path: str, **params: str) -> Any:
        answer = requests.get(
            f"{self.direct}/rest/api{path}", params=params, auth=(self.user, self.token), timeout=30
        )
        answer.raise_for_status()
        return answer.json()

    def site(self) -> dict[str, dict[str, Any]]:
        """Every page of DEV by title: its id, ancestors' titles, attachments and version."""
        found = self.rest(
            "/content",
            spaceKey="DEV",
            limit="200",
            expand="ancestors,version,children.attachment",
        )
        return {
            page["title"]: {
                "id": page["id"],
                "ancestors": [a["title"] for a in page["ancestors"]],
                "attachments": sorted(
                    a["title"] for a in page["children"]["attachment"]["results"]
                ),
                "attachment_ids": sorted(
                    a["id"] for a in page["children"]["attachment"]["results"]
                ),
                "version": page["version"]["number"],
            }
            for page in found["results"]
        }

    def run_twice(
        self, command: list[str], env: Mapping[str, str], cwd: Path, timeout: int = 240
    ) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
        """Publish twice; both runs exit 0, and the second creates no page or attachment."""
        snapshots = []
        for number in (1, 2):
            done = subprocess.run(
                command,
                cwd=cwd,
                env={**os.environ, **env},
                capture_output=True,
                text=True,
                timeout=timeout,
            )
            assert done.returncode == 0, (
                f"run {number} of {command[0]} exited {done.returncode}:\n"
                f"{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
            )
            snapshots.append(self.site())
        first, second = snapshots
        ids = {t: (p["id"], p["attachment_ids"]) for t, p in first.items()}
        assert {t: (p["id"], p["attachment_ids"]) for t, p in second.items()} == ids
        return first, second

    def assert_documented(self) -> None:
        """Every answer the client got validates against the vendored Atlassian schemas."""
        assert self.proxy.exchanges, "the client made no request through the proxy"
        assert problems(self.proxy.exchanges) == []
