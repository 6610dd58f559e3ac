"""An invalid incident file is refused before anything reaches the wiki."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from confluence_sync.cli import cli
from confluence_sync.localwiki import LocalWiki

ROOT = Path(__file__).resolve().parent.parent
INVALID = ROOT / "tests" / "fixtures" / "template" / "invalid"
EXPECTED = {
    "missing_owner": "missing_owner.yaml:1: error: owner: required",
    "naive_timestamp": "naive_timestamp.yaml:11: error: timeline[2].at: must include a timezone",
    "resolved_before_started": "resolved_before_started.yaml:6: error: resolved_at:",
    "unsorted_timeline": "unsorted_timeline.yaml:12: error: timeline[3].at:",
    "unknown_severity": "unknown_severity.yaml:3: error: severity: unknown severity 'SEV-9'",
    "unknown_field": "unknown_field.yaml:5: error: sevrity_note: unknown field",
    "action_item_without_owner": "action_item_without_owner.yaml:9: error: action_items[1].owner: required",
    "closed_without_ticket": "closed_without_ticket.yaml:20: error: action_items[1].ticket: required",
}


def test_invalid_incident_files_write_nothing(
    local_wiki: LocalWiki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    template = ROOT / "content" / "template" / "postmortem.yaml"
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.confluence-sync]\nspace = "DEV"\ntemplate = "{template.as_posix()}"\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    env = {
        "CONFLUENCE_URL": local_wiki.base_url,
        "CONFLUENCE_USER": "admin",
        "CONFLUENCE_TOKEN": "admin",
        "CI": None,
    }
    runner = CliRunner(env=env)
    assert sorted(p.stem for p in INVALID.glob("*.yaml")) == sorted(EXPECTED)
    local_wiki.clear_log()
    for name, needle in EXPECTED.items():
        path = str(INVALID / f"{name}.yaml")
        for args in (
            ["incident", "new", "--title", "Anything", "--from", path],
            ["incident", "validate", path],
        ):
            result = runner.invoke(cli, args)
            assert result.exit_code == 2, (name, args, result.output)
            assert needle in result.output, (name, result.output)
    writes = [r for r in local_wiki.requests if r.method in ("POST", "PUT", "DELETE")]
    assert writes == []
