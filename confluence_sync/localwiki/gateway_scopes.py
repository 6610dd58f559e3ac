"""Which OAuth 2.0 scopes the API gateway asks of each call, as Atlassian's OpenAPI specs list
them.

Every operation in Atlassian's specs carries ``security: oAuthDefinitions`` (and, in the v1 spec,
``x-atlassian-oauth2-scopes``) naming the scopes a token must hold. v1 operations accept either
their classic scopes (``state: Current``) or their granular ones (``state: Beta``); v2 operations
know only granular scopes. Sources, trimmed copies in ``tests/fixtures/specs/``:

- ``confluence-cloud-v2-current.json`` (developer.atlassian.com/cloud/confluence/rest/v2/): pages,
  properties, spaces, attachments, ancestors, direct children, users-bulk;
- ``confluence-cloud-v1-current.json`` (developer.atlassian.com/cloud/confluence/rest/v1/): CQL
  search, labels, attachment uploads, move;
- ``confluence-cloud-v1-2021.json`` for the v1 content endpoints Atlassian has since dropped from
  the spec (page get/create/update/delete, properties, space, children): classic scopes only.

A path missing from the table is refused like a call whose scopes do not match: the gateway
passes nothing it has no rule for, so a test catches a call the README's scope table lacks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

CLASSIC_READ = "read:confluence-content.summary"
CLASSIC_WRITE = "write:confluence-content"


@dataclass(frozen=True)
class ScopeRule:
    """One operation: its method, its path under ``/wiki`` (a regular expression) and the scope
    sets that each admit it (a token passes when it holds every scope of one set)."""

    method: str
    path: str
    alternatives: tuple[frozenset[str], ...]

    def matches(self, method: str, path: str) -> bool:
        return method == self.method and re.fullmatch(self.path, path) is not None


def _rule(method: str, path: str, *alternatives: Iterable[str]) -> ScopeRule:
    pattern = re.sub(r"\{[^}]+\}", "[^/]+", path)
    return ScopeRule(method, pattern, tuple(frozenset(a) for a in alternatives))


_V1 = "/rest/api/content"
_V2 = "/api/v2"
RULES: tuple[ScopeRule, ...] = (
    # v1, current spec: classic scope, or the granular (Beta) set
    _rule("GET", f"{_V1}/search", ["search:confluence"], ["read:content-details:confluence"]),
    _rule(
        "POST",
        f"{_V1}/{{id}}/label",
        [CLASSIC_WRITE],
        ["read:label:confluence", "write:label:confluence"],
    ),
    _rule("DELETE", f"{_V1}/{{id}}/label", [CLASSIC_WRITE], ["write:label:confluence"]),
    *(
        _rule(
            "POST",
            path,
            ["write:confluence-file"],
            ["read:content-details:confluence", "write:attachment:confluence"],
        )
        for path in (f"{_V1}/{{id}}/child/attachment", f"{_V1}/{{id}}/child/attachment/{{a}}/data")
    ),
    _rule(
        "PUT",
        f"{_V1}/{{id}}/move/{{position}}/{{target}}",
        [CLASSIC_WRITE],
        ["write:page:confluence"],
    ),
    _rule(
        "GET",
        "/rest/api/user/current",
        ["read:confluence-user"],
        ["read:content-details:confluence"],
    ),
    # v1, 2021 spec (since dropped from the published spec): classic scopes only
    _rule("GET", _V1, [CLASSIC_READ]),
    _rule("POST", _V1, [CLASSIC_WRITE]),
    _rule("GET", f"{_V1}/{{id}}", [CLASSIC_READ]),
    _rule("PUT", f"{_V1}/{{id}}", [CLASSIC_WRITE]),
    _rule("DELETE", f"{_V1}/{{id}}", [CLASSIC_WRITE]),
    _rule("GET", f"{_V1}/{{id}}/child/page", [CLASSIC_READ]),  # spec: child/{type}
    _rule("GET", f"{_V1}/{{id}}/child/attachment", [CLASSIC_READ]),
    _rule("POST", f"{_V1}/{{id}}/property", ["write:confluence-props"]),
    _rule("PUT", f"{_V1}/{{id}}/property/{{key}}", ["write:confluence-props"]),
    _rule("GET", "/rest/api/space/{key}", ["read:confluence-space.summary"]),
    # attachment bytes (the download link of an attachment listing)
    _rule(
        "GET",
        "/download/attachments/{id}/{name}",
        ["readonly:content.attachment:confluence"],
        ["read:attachment:confluence"],
    ),
    # v2, current spec: granular scopes only
    _rule("GET", f"{_V2}/spaces", ["read:space:confluence"]),
    _rule("GET", f"{_V2}/pages", ["read:page:confluence"]),
    _rule("POST", f"{_V2}/pages", ["write:page:confluence"]),
    _rule("GET", f"{_V2}/pages/{{id}}", ["read:page:confluence"]),
    _rule("PUT", f"{_V2}/pages/{{id}}", ["write:page:confluence"]),
    _rule("DELETE", f"{_V2}/pages/{{id}}", ["delete:page:confluence"]),
    _rule("GET", f"{_V2}/pages/{{id}}/properties", ["read:page:confluence"]),
    _rule(
        "POST", f"{_V2}/pages/{{id}}/properties", ["read:page:confluence", "write:page:confluence"]
    ),
    _rule(
        "PUT",
        f"{_V2}/pages/{{id}}/properties/{{p}}",
        ["read:page:confluence", "write:page:confluence"],
    ),
    _rule("GET", f"{_V2}/pages/{{id}}/attachments", ["read:attachment:confluence"]),
    _rule("GET", f"{_V2}/pages/{{id}}/ancestors", ["read:content.metadata:confluence"]),
    _rule("GET", f"{_V2}/pages/{{id}}/direct-children", ["read:hierarchical-content:confluence"]),
    _rule("POST", f"{_V2}/users-bulk", ["read:user:confluence"]),
)


def rule_for(method: str, path: str) -> ScopeRule | None:
    """The rule for a call to ``path`` (under ``/wiki``), or None when the table has none."""
    return next((rule for rule in RULES if rule.matches(method, path)), None)


def admits(granted: frozenset[str], method: str, path: str) -> bool:
    """True when a token holding ``granted`` may make this call."""
    rule = rule_for(method, path)
    return rule is not None and any(needed <= granted for needed in rule.alternatives)
