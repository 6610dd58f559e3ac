"""What a user sees when the URL, the space or the settings are wrong: one clear message, the
right exit code, no traceback, and with ``--json`` still one JSON document on stdout."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from publish_helpers import ApiWiki
from test_sync_cli import env_for, run

from confluence_sync.localwiki import LocalWiki


def serving(content_type: str, body: bytes) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/wiki"
    finally:
        server.shutdown()


@pytest.fixture
def login_page() -> Iterator[str]:
    yield from serving("text/html; charset=utf-8", b"<html><body>Sign in with SSO</body></html>")


@pytest.fixture
def other_json() -> Iterator[str]:
    yield from serving("application/json", b'{"homepage": "nope", "results": 7}')


def env_at(url: str) -> dict[str, str]:
    return {"CONFLUENCE_URL": url, "CONFLUENCE_TOKEN": "t", "CONFLUENCE_USER": "u", "CI": ""}


@pytest.mark.parametrize("command", [["sync"], ["plan"], ["diff"]])
def test_a_login_page_is_a_remote_error_with_a_hint(
    project: Path, login_page: str, command: list[str]
) -> None:
    result = run([*command, "--json"], env_at(login_page))
    assert result.exit_code == 3
    document = json.loads(result.stdout)
    assert document["ok"] is False and document["exit_code"] == 3
    for words in ("GET rest/api/space/DEV", "text/html instead of JSON", "CONFLUENCE_URL"):
        assert words in document["error"]
    assert "Traceback" not in result.stderr and "JSONDecodeError" not in result.stderr


def test_json_of_another_shape_is_a_remote_error(project: Path, other_json: str) -> None:
    result = run(["sync"], env_at(other_json))
    assert result.exit_code == 3
    assert "has no home page" in result.stderr or "unexpected answer" in result.stderr
    assert "Traceback" not in result.stderr and "AttributeError" not in result.stderr


def test_a_cloud_url_without_wiki_says_so(project: Path, tmp_path: Path) -> None:
    with LocalWiki(tmp_path / "cloud", mode="cloud") as wiki:
        env = {**env_for(wiki), "CONFLUENCE_URL": wiki.base_url.removesuffix("/wiki")}
        result = run(["sync"], env)
    assert result.exit_code == 3
    assert "space DEV not found" in result.stderr and "/wiki" in result.stderr
    assert "null for uri" not in result.stderr


@pytest.mark.parametrize(
    "command",
    [
        ["sync"],
        ["diff"],
        ["incident", "new", "--title", "X", "--owner", "A", "--dry-run"],
    ],
)
def test_a_missing_space_is_one_clear_error_for_every_command(
    project: Path, api_wiki: ApiWiki, command: list[str]
) -> None:
    """The same message on both APIs: v1 answers 404 for the space, v2 an empty list."""
    (project / "content" / "template").mkdir()
    repo = Path(__file__).resolve().parents[1]
    template = (repo / "content" / "template" / "postmortem.yaml").read_text()
    (project / "content" / "template" / "postmortem.yaml").write_text(template)
    (project / "content" / "resources").mkdir()
    (project / "content" / "resources" / "index.md").write_text("# Resources\n")
    result = run(command, {**env_for(api_wiki), "CONFLUENCE_SPACE": "NOPE"})
    assert result.exit_code == 3, result.output
    assert "space NOPE not found" in result.stderr
    assert "would create" not in result.output and "missing in wiki" not in result.output


def test_every_settings_problem_is_reported_in_one_run(project: Path) -> None:
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "colour = 'blue'\n")
    env = {
        "CONFLUENCE_URL": "ftp://wiki.example.com",
        "CONFLUENCE_TOKEN": "t",
        "CONFLUENCE_SPACE": 'DEV" OR space = "X',
        "CONFLUENCE_RETRY_MAX_WAIT": "soon",
        "CONFLUENCE_API": "v3",
        "CI": "",
    }
    result = run(["sync"], env)
    assert result.exit_code == 2
    for words in (
        "colour: unknown key",
        "CONFLUENCE_URL: error: must start with http:// or https://",
        "CONFLUENCE_SPACE: error: must be a Confluence space key",
        "CONFLUENCE_RETRY_MAX_WAIT: error: must be a number of seconds",
        "CONFLUENCE_API: error: must be auto, v1 or v2, not 'v3'",
    ):
        assert words in result.stderr
    assert "5 errors found" in result.stderr
