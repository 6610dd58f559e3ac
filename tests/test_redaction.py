"""Credentials never reach the output: a server or proxy that echoes the request's headers in its
error body is redacted, and a token written into CONFLUENCE_URL is refused (issue 12, finding 7).
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from confluence_sync.cli import cli
from confluence_sync.errors import redact

TOKEN = "tok-3fA9x-SECRET-value-1234"
USER = "sre@example.com"
BASIC = base64.b64encode(f"{USER}:{TOKEN}".encode()).decode()


class _EchoHeaders(BaseHTTPRequestHandler):
    """A misconfigured proxy: every request fails and the body repeats what it was sent."""

    def do_GET(self) -> None:
        body = json.dumps(
            {
                "message": f"Bad gateway. Request headers: {dict(self.headers)}; "
                f"token={TOKEN}; raw Authorization: {self.headers.get('Authorization')}"
            }
        ).encode()
        self.send_response(400)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def echo_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EchoHeaders)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "index.md").write_text("# Home\n\nHello.\n", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text("[tool.confluence-sync]\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for name in ("CI", "CONFLUENCE_SPACE"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.mark.parametrize("user", [USER, None])
def test_server_echoing_request_headers_never_prints_the_credentials(
    project: Path, echo_server: str, user: str | None
) -> None:
    env = {"CONFLUENCE_URL": echo_server, "CONFLUENCE_TOKEN": TOKEN, "CONFLUENCE_USER": user}
    result = CliRunner().invoke(cli, ["sync"], env=env)
    assert result.exit_code == 3, result.output
    assert "HTTP 400" in result.output and "[redacted]" in result.output
    assert TOKEN not in result.output and BASIC not in result.output
    assert "Bearer tok" not in result.output


def test_redact_removes_token_basic_encoding_and_authorization_headers() -> None:
    text = (
        f"Authorization: Basic {BASIC}\nX-Echo: {TOKEN}\n"
        f"{{'Authorization': 'Bearer {TOKEN}', 'Accept': 'application/json'}}\n"
        f"again {BASIC} and a bearer abcdefghijklmnopqrstuvwxyz012345"
    )
    clean = redact(text, token=TOKEN, user=USER)
    assert TOKEN not in clean and BASIC not in clean
    assert "abcdefghijklmnopqrstuvwxyz012345" not in clean
    assert "'Accept': 'application/json'" in clean  # the rest of the text is kept
    assert clean.splitlines()[0] == "Authorization: [redacted]"


def test_credentials_inside_confluence_url_are_refused_without_echoing_them(
    project: Path,
) -> None:
    env = {"CONFLUENCE_URL": f"https://bot:{TOKEN}@wiki.example.com", "CONFLUENCE_TOKEN": "x"}
    for command in (["sync"], ["plan"], ["diff"]):
        result = CliRunner().invoke(cli, command, env=env)
        assert result.exit_code == 2, (command, result.output)
        assert (
            "CONFLUENCE_URL: error: must not contain credentials (user:token@); "
            "set CONFLUENCE_USER and CONFLUENCE_TOKEN instead"
        ) in result.output
        assert TOKEN not in result.output


@pytest.mark.parametrize("user", [USER, None])
def test_debug_logs_show_requests_as_curl_and_never_the_credentials(
    project: Path, echo_server: str, user: str | None
) -> None:
    """With ``-vv`` atlassian-python-api logs each request as a curl command (the gateway only
    stops that being built when its debug log is off) and each response body, which this proxy
    fills with the credentials it was sent."""
    env = {**os.environ, "CONFLUENCE_URL": echo_server, "CONFLUENCE_TOKEN": TOKEN}
    env.pop("CONFLUENCE_USER", None)
    if user:
        env["CONFLUENCE_USER"] = user
    run = subprocess.run(
        [sys.executable, "-m", "confluence_sync", "-vv", "sync"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 3
    assert "curl --show-error -X GET" in run.stderr
    assert "Response text" in run.stderr and "[redacted]" in run.stderr
    assert TOKEN not in run.stderr + run.stdout and BASIC not in run.stderr + run.stdout
