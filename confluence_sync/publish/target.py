"""Where a run publishes: the configured Confluence, or the embedded local wiki.

Choosing the target is separate from publishing so every command that talks to the wiki says the
same first line and fails the same way in CI when the secret is missing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from confluence_sync.config import Settings, describe_config
from confluence_sync.errors import ConfigError, Problem, display_path
from confluence_sync.publish.gateway import Gateway
from confluence_sync.publish.retry import RetryPolicy

SERVE_HOST = "127.0.0.1"
SERVE_PORT = 8090
SERVE_URL = f"http://{SERVE_HOST}:{SERVE_PORT}/wiki"
"""Where ``confluence-sync wiki serve`` (cloud mode, its default) answers with its default
address: the embedded wiki's own port dies with the command, so its links point here."""

CI_REFUSAL = (
    "CONFLUENCE_URL is not set and CI=true: refusing to publish to the embedded local wiki; "
    "set the secret or pass --local"
)


@dataclass(frozen=True)
class Target:
    url: str
    space: str
    local: bool
    data_dir: Path | None = None
    site: str = ""
    config: Path | None = None
    api: str = "v1"  # the REST API the gateway speaks (v1 or v2)
    via: str | None = None  # Atlassian's API gateway, when requests go through it (``url``
    # stays the site's address: every link printed uses it)

    def page_link(self, url: str) -> str:
        """A page's address as it stays true after the command: the embedded wiki's port dies
        with the command, so for it the same page at ``wiki serve``'s default address."""
        if self.local and url.startswith(self.url):
            return SERVE_URL + url[len(self.url) :]
        return url

    def to_json(self) -> dict[str, object]:
        """The ``target`` object of the ``sync --json`` and ``diff --json`` documents: one
        shape, so a CI script reads both the same way. ``url`` is null for the embedded wiki:
        the server it ran on is gone when the document is read."""
        return {
            "url": None if self.local else self.url,
            "space": self.space,
            "local": self.local,
            "site": self.site,
            "api": self.api,
        }

    def describe(self) -> str:
        """The first line of every command that talks to the wiki: where, which space, which
        site's pages, and which configuration file said so."""
        scope = (
            f"(space {self.space}, site {self.site}, REST {self.api}; "
            f"config {describe_config(self.config)})"
        )
        if self.local:
            where = display_path(self.data_dir) if self.data_dir else "(temporary)"
            return (
                f"Target: local wiki at {where} {scope} "
                "— browse it with: confluence-sync wiki serve"
            )
        through = f" through the API gateway {self.via}" if self.via else ""
        return f"Target: {self.url}{through} {scope}"


def in_ci(env: Mapping[str, str] | None = None) -> bool:
    return (env if env is not None else os.environ).get("CI", "").strip().lower() in ("true", "1")


@contextmanager
def connect(
    settings: Settings,
    *,
    allow_local: bool,
    policy: RetryPolicy | None = None,
    env: Mapping[str, str] | None = None,
) -> Iterator[tuple[Gateway, Target]]:
    """Yield a gateway and a description of it; a local wiki is started and stopped here.
    Without ``policy`` the default one, tuned by ``CONFLUENCE_RETRY_*``, so every command that
    talks to the wiki honours those variables."""
    environ = os.environ if env is None else env
    if policy is None:
        policy = RetryPolicy.from_env(environ)
    if settings.url:
        with _configured(settings, policy) as connected:
            yield connected
        return
    if in_ci(environ) and not allow_local:
        raise ConfigError(CI_REFUSAL)
    with _embedded(settings, policy) as connected:
        yield connected


@contextmanager
def _configured(settings: Settings, policy: RetryPolicy) -> Iterator[tuple[Gateway, Target]]:
    """The Confluence named by ``CONFLUENCE_URL``, over the API ``settings.api`` selects.

    The HTTP stack (requests, atlassian-python-api) is imported here, when the command is about
    to connect, not with this module: ``sync`` builds the site first, and the imports then
    reuse the memory that building freed instead of adding to the process's peak."""
    from confluence_sync.publish.access import gateway_access
    from confluence_sync.publish.api_choice import open_gateway

    assert settings.url is not None
    if settings.gateway and settings.api == "v1":  # --api v1 bypasses the environment's check
        raise ConfigError(
            [Problem("--api", "v1 cannot be used through the API gateway; use v2 or auto")]
        )
    token = settings.token.get_secret_value() if settings.token else None
    access = gateway_access(settings) if settings.gateway else None
    try:
        gateway = open_gateway(
            settings.url,
            user=settings.user,
            token=token,
            policy=policy,
            api=settings.api,
            access=access,
            timeout=settings.timeout,
        )
    except BaseException:
        if access is not None:
            access.close()
        raise
    target = Target(
        settings.url,
        settings.space,
        local=False,
        site=settings.site,
        config=settings.config_file,
        api=gateway.api,
        via=access.api_url if access else None,
    )
    try:
        yield gateway, target
    finally:
        gateway.close()


@contextmanager
def _embedded(settings: Settings, policy: RetryPolicy) -> Iterator[tuple[Gateway, Target]]:
    """The embedded local wiki, started for this command and stopped after it (the HTTP
    stack imported only now, as in ``_configured``)."""
    from confluence_sync.localwiki import LocalWiki
    from confluence_sync.publish.api_choice import open_gateway

    wiki = LocalWiki(settings.local_data, spaces=(settings.space,))
    base = wiki.start()
    try:
        gateway = open_gateway(
            base,
            user=wiki.user,
            token=wiki.token,
            policy=policy,
            api=settings.api,
            timeout=settings.timeout,
        )
    except BaseException:
        wiki.stop()
        raise
    target = Target(
        base,
        settings.space,
        local=True,
        data_dir=settings.local_data,
        site=settings.site,
        config=settings.config_file,
        api=gateway.api,
    )
    try:
        yield gateway, target
    finally:
        gateway.close()
        wiki.stop()
