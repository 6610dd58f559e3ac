"""The scope table (``publish/scopes.py``) says what Atlassian's specs say, the local wiki's
gateway enforces the same, and the README prints every row."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from confluence_sync.localwiki.gateway_scopes import RULES, admits, rule_for
from confluence_sync.publish.scopes import CALLS, Call, call_for, calls_for

SPECS = Path(__file__).parent / "fixtures" / "specs"
README = Path(__file__).parent.parent / "README.md"
# Operations the specs file under another path: v1 lists children by type.
SPEC_PATH = {"/rest/api/content/{}/child/page": "/rest/api/content/{}/child/{}"}
NOT_IN_SPECS = {"/download/attachments/{id}/{name}"}  # a download link, not a REST operation


def _shape(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def _operations() -> dict[tuple[str, str, str], dict[str, object]]:
    found: dict[tuple[str, str, str], dict[str, object]] = {}
    for name, api in (
        ("confluence-cloud-v1-2021.json", "v1"),
        ("confluence-cloud-v1-current.json", "v1"),  # newer wins where both list a call
        ("confluence-cloud-v2-current.json", "v2"),
    ):
        spec = json.loads((SPECS / name).read_text(encoding="utf-8"))
        for path, item in spec["paths"].items():
            full = path.removeprefix("/wiki") if api == "v1" else "/api/v2" + path
            for method, op in item.items():
                if isinstance(op, dict):
                    found[(api, method.upper(), _shape(full))] = op
    return found


def _spec_scopes(op: dict[str, object]) -> tuple[set[str], set[str]]:
    """(classic, granular) as the operation lists them: ``x-atlassian-oauth2-scopes`` names
    the Current (classic on v1) and Beta (granular) sets; without it, ``security``."""
    extra = op.get("x-atlassian-oauth2-scopes")
    if isinstance(extra, list):
        states = {e["state"]: set(e["scopes"]) for e in extra}
        return states.get("Current", set()), states.get("Beta", set())
    security = op.get("security")
    assert isinstance(security, list)
    scopes = {s for entry in security for s in entry.get("oAuthDefinitions", [])}
    return scopes, set()


@pytest.mark.parametrize("call", [c for c in CALLS if c.path not in NOT_IN_SPECS], ids=str)
def test_each_call_needs_the_scopes_atlassian_lists(call: Call) -> None:
    shape = _shape(call.path)
    op = _operations().get((call.api, call.method, SPEC_PATH.get(shape, shape)))
    assert op is not None, f"{call.method} {call.path} is not in the vendored specs"
    classic, granular = _spec_scopes(op)
    if call.api == "v2":  # v2 knows granular scopes only, listed under security
        assert (set(call.classic), set(call.granular)) == (set(), classic | granular)
    else:
        assert (set(call.classic), set(call.granular)) == (classic, granular)


@pytest.mark.parametrize("call", CALLS, ids=str)
def test_the_local_gateway_enforces_the_same_scopes(call: Call) -> None:
    path = re.sub(r"\{[^}]+\}", "123", call.path)
    rule = rule_for(call.method, path)
    assert rule is not None, call
    expected = {frozenset(s) for s in (call.classic, call.granular) if s}
    assert set(rule.alternatives) == expected
    assert call_for(call.method, "https://api.example/ex/confluence/c1/wiki" + path) == call


def test_the_local_gateway_has_no_rule_the_table_lacks() -> None:
    for rule in RULES:
        sample = re.sub(r"\[\^/\]\+", "123", rule.path)
        assert call_for(rule.method, sample) is not None, rule


def test_readme_lists_every_call_with_its_scopes() -> None:
    text = README.read_text(encoding="utf-8")
    rows = [line.split(" | ") for line in text.splitlines() if line.startswith("| v")]
    for call in CALLS:
        row = next((" | ".join(r) for r in rows if r[1] == f"`{call.method} {call.path}`"), None)
        assert row is not None, f"README has no row for {call.method} {call.path}"
        for scope in (*call.classic, *call.granular):
            assert f"`{scope}`" in row, (call, scope)


def test_a_v2_run_makes_some_v1_calls() -> None:
    v2 = {(c.api, c.method, c.path) for c in calls_for("v2")}
    assert ("v1", "POST", "/rest/api/content/{id}/child/attachment") in v2
    assert ("v1", "GET", "/rest/api/content/search") in v2
    assert ("v1", "POST", "/rest/api/content") not in v2


ALL_SCOPES = sorted({s for c in CALLS for s in (*c.classic, *c.granular)})


@given(st.frozensets(st.sampled_from(ALL_SCOPES)), st.sampled_from(CALLS))
def test_tool_and_local_gateway_agree_on_every_token(granted: frozenset[str], call: Call) -> None:
    """Whatever a token holds, the tool predicts a call passes exactly when the local gateway
    lets it through, so doctor's offline answer is the answer the wiki gives."""
    path = re.sub(r"\{[^}]+\}", "42", call.path)
    assert call.admits(granted) == admits(granted, call.method, path)
