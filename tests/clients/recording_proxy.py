"""A recording reverse proxy in front of ``wiki serve``: every exchange a client had, for the
contract test, and optionally TLS, for clients that only speak https.

markdown-to-confluence builds its REST v1 address as ``https://{domain}{path}`` whatever the
server says, so against a local wiki (plain http) it needs a TLS front; the proxy terminates TLS
with a throwaway self-signed certificate that the client is told to trust through the standard
``SSL_CERT_FILE`` / ``REQUESTS_CA_BUNDLE`` variables.
"""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

_HOP = {"connection", "keep-alive", "transfer-encoding", "content-encoding", "content-length"}


@dataclass(frozen=True)
class Exchange:
    """One request a client made and the answer it got (JSON answers parsed)."""

    method: str
    path: str
    query: str
    status: int
    content_type: str
    body: Any


class _Quiet(WSGIRequestHandler):
    def log(self, type: str, message: str, *args: object) -> None:
        return


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate and key for 127.0.0.1 and localhost, made with the openssl command."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    command = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"]
    command += ["-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"]
    command += ["-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"]
    subprocess.run(
        command,
        check=True,
        capture_output=True,
    )
    return cert, key


class RecordingProxy:
    """Forwards everything to ``upstream`` (an origin such as ``http://127.0.0.1:8090``)."""

    def __init__(self, upstream: str, tls: tuple[Path, Path] | None = None) -> None:
        self.upstream = upstream.rstrip("/")
        self.exchanges: list[Exchange] = []
        self._lock = threading.Lock()
        self._session = requests.Session()
        context = (str(tls[0]), str(tls[1])) if tls else None
        self._server: BaseWSGIServer = make_server(
            "127.0.0.1", 0, self._app, threaded=True, request_handler=_Quiet, ssl_context=context
        )
        scheme = "https" if tls else "http"
        self.origin = f"{scheme}://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> RecordingProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
        self._session.close()

    def _app(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in {"host", *_HOP}}
        answer = self._session.request(
            request.method,
            self.upstream + request.full_path.rstrip("?"),
            headers=headers,
            data=request.get_data(),
            allow_redirects=False,
            timeout=60,
        )
        self._record(request, answer)
        out = [(k, v) for k, v in answer.headers.items() if k.lower() not in _HOP]
        out = [(k, self._local(v) if k.lower() == "location" else v) for k, v in out]
        response = Response(answer.content, status=answer.status_code, headers=out)
        return response(environ, start_response)

    def _local(self, location: str) -> str:
        """Redirects to the wiki's own address come back through the proxy."""
        return (
            self.origin + location[len(self.upstream) :]
            if location.startswith(self.upstream)
            else location
        )

    def _record(self, request: Request, answer: requests.Response) -> None:
        kind = answer.headers.get("Content-Type", "")
        body: Any = None
        if "json" in kind and answer.content:
            body = json.loads(answer.content)
        entry = Exchange(
            request.method,
            request.path,
            urlsplit(request.full_path).query,
            answer.status_code,
            kind,
            body,
        )
        with self._lock:
            self.exchanges.append(entry)
