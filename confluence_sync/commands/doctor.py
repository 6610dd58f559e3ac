"""``doctor``: can the configured credentials do everything a sync does? Asked before a sync
would fail half-way.

It connects like every other command, then checks each capability a sync uses (space view,
search, page read, attachment read, page create/update, property write, label write,
attachment write) with reads and with empty writes that Confluence refuses as invalid after its
scope and permission checks (``publish/preflight.py``); a scope the token endpoint did not grant
is reported without a request. Nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from confluence_sync.config import Settings
from confluence_sync.publish.preflight import READS, WRITES, Check
from confluence_sync.publish.target import Target, connect


@dataclass(frozen=True)
class DoctorReport:
    target: Target
    credentials: str  # what kind, and how the checks were made
    checks: tuple[Check, ...]

    @property
    def failed(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.ok)


def describe_credentials(settings: Settings, scopes_known: bool) -> str:
    if settings.client_id:
        how = "scopes from the token endpoint, then probed" if scopes_known else "probed"
        return f"OAuth 2.0 client credentials of a service account, through the API gateway; {how}"
    if settings.gateway:
        return "scoped API token through the API gateway; probed (reads, and writes sent empty)"
    if settings.url is None:
        return "the embedded local wiki's own account; probed"
    return "API token or personal access token (no scopes); probed: permissions only"


def run_doctor(
    settings: Settings,
    *,
    allow_local: bool = False,
    on_target: Callable[[Target], None] = lambda target: None,
) -> DoctorReport:
    from confluence_sync.publish import preflight
    from confluence_sync.publish.atlassian import AtlassianGateway

    with connect(settings, allow_local=allow_local) as (gw, target):
        on_target(target)
        assert isinstance(gw, AtlassianGateway)
        checks = preflight.check(gw, settings.space, (*READS, *WRITES))
        known = gw.access is not None and gw.access.granted_scopes() is not None
        return DoctorReport(target, describe_credentials(settings, known), tuple(checks))
