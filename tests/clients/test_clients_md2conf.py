"""markdown-to-confluence (``md2conf``) publishes a Markdown tree to the local wiki.

REST v1 on Data Center and Cloud (md2conf builds ``https://{domain}{path}`` for v1, so the
proxy speaks TLS), and REST v2 on Cloud (given ``CONFLUENCE_API_URL``). Both runs exit 0, the
pages nest as the directories do, the image arrives as an attachment of the page that shows it,
and the second run creates nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from client_runs import copy_site, tool

pytestmark = pytest.mark.clients


@pytest.mark.parametrize(
    ("mode", "api"), [("server", "v1"), ("cloud", "v1"), ("cloud", "v2")], ids=str
)
def test_md2conf_publishes_its_tree_twice(serve: Any, tmp_path: Path, mode: str, api: str) -> None:
    md2conf = tool("md2conf")
    wiki = serve(mode, tls=api == "v1")
    site = copy_site("markdown", tmp_path / "site")
    host = wiki.proxy.origin.split("://", 1)[1]
    env = {
        "CONFLUENCE_DOMAIN": host,
        "CONFLUENCE_PATH": "/wiki/" if mode == "cloud" else "/",
        "CONFLUENCE_USER_NAME": wiki.user,
        "CONFLUENCE_API_KEY": wiki.token,
        "CONFLUENCE_SPACE_KEY": "DEV",
        **wiki.tls_env(),
    }
    if api == "v2":
        env["CONFLUENCE_API_URL"] = wiki.base + "/"
    first, second = wiki.run_twice([md2conf, str(site), "--api-version", api], env, tmp_path)

    assert first["Client Home"]["ancestors"] == ["DEV Home"]
    assert first["Client Home"]["attachments"] == ["img.png"]
    assert first["Guide"]["ancestors"][-1] == "Client Home"
    assert first["Setup"]["ancestors"][-1] == "Guide"
    assert second["Setup"]["version"] == first["Setup"]["version"]  # unchanged: not rewritten
    wiki.assert_documented()
