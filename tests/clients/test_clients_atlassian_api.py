"""A user's script on atlassian-python-api's ``Confluence`` client (``sites/atlassian_script.py``)
runs twice against Data Center and Cloud (REST v1; the ``Confluence`` class has no v2)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from client_runs import SITES

pytestmark = pytest.mark.clients


@pytest.mark.parametrize("mode", ["server", "cloud"])
def test_atlassian_python_api_script_runs_twice(serve: Any, tmp_path: Path, mode: str) -> None:
    pytest.importorskip("atlassian", reason="atlassian-python-api (the clients extra)")
    wiki = serve(mode)
    env = {
        "CONFLUENCE_URL": wiki.base,
        "CONFLUENCE_USER": wiki.user,
        "CONFLUENCE_TOKEN": wiki.token,
        "CONFLUENCE_SPACE": "DEV",
    }
    command = [sys.executable, str(SITES / "atlassian_script.py")]
    first, second = wiki.run_twice(command, env, tmp_path)

    assert first["Script Child B"]["ancestors"] == ["DEV Home", "Script Root", "Script Child A"]
    assert first["Script Root"]["attachments"] == ["notes.txt"]
    assert "Scratch" not in first and "Scratch" not in second  # removed again each run
    assert second["Script Root"]["version"] > first["Script Root"]["version"]  # updated
    labels = wiki.rest(f"/content/{first['Script Root']['id']}/label")
    assert [x["name"] for x in labels["results"]] == ["script-label"]
    prop = wiki.rest(f"/content/{first['Script Root']['id']}/property/script-prop")
    assert prop["value"] == {"runs": 2}
    wiki.assert_documented()
