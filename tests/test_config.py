"""Configuration: file + environment, every problem reported together, secrets kept secret."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from confluence_sync.cli import cli
from confluence_sync.config import load_settings
from confluence_sync.errors import ConfigError


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_table(tmp_path: Path) -> None:
    settings = load_settings(cwd=tmp_path, env={})
    assert settings.space == "DEV"
    assert settings.content_dir == (tmp_path / "content").resolve()
    assert settings.parent is None
    assert settings.postmortems_title == "Postmortems"
    assert settings.url is None and settings.token is None
    assert settings.local_data == tmp_path.resolve() / ".confluence-sync" / "wiki"


def test_table_values_and_environment(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        '[tool.confluence-sync]\nspace = "OPS"\nparent = 12345\nlabels = ["guide"]\n'
        'content_dir = "docs"\npostmortems_title = "Incident Reviews"\n',
    )
    env = {
        "CONFLUENCE_URL": "https://example.atlassian.net/wiki/",
        "CONFLUENCE_USER": "sre@example.com",
        "CONFLUENCE_TOKEN": "tok-123",
        "CONFLUENCE_SPACE": "SRE",
    }
    settings = load_settings(cwd=tmp_path, env=env)
    assert settings.space == "SRE"  # the environment overrides the file
    assert settings.parent == "12345"
    assert settings.labels == ("guide",)
    assert settings.content_dir.name == "docs"
    assert settings.url == "https://example.atlassian.net/wiki"
    assert settings.token is not None and settings.token.get_secret_value() == "tok-123"
    assert "tok-123" not in repr(settings) and "tok-123" not in str(settings)


def test_unknown_keys_and_wrong_types_are_reported_together(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.confluence-sync]\nspcae = "DEV"\nlabels = "one"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(cwd=tmp_path, env={})
    lines = str(caught.value).splitlines()
    assert len(lines) == 2
    assert any("pyproject.toml" in line and "spcae: unknown key" in line for line in lines)
    assert any("pyproject.toml" in line and "labels" in line for line in lines)


def test_check_exits_2_on_bad_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "pyproject.toml", "[tool.confluence-sync]\nbogus = 1\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check"])
    assert result.exit_code == 2
    assert "pyproject.toml: error: [tool.confluence-sync] bogus: unknown key" in result.output


def test_url_without_token_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="CONFLUENCE_TOKEN"):
        load_settings(cwd=tmp_path, env={"CONFLUENCE_URL": "https://wiki.example.com"})


def test_explicit_config_path_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(Path("nope.toml"), cwd=tmp_path, env={})


@pytest.mark.parametrize(
    ("typo", "meant"),
    [
        ("contnet_dir", "content_dir"),
        ("lables", "labels"),
        ("postmortem_title", "postmortems_title"),
    ],
)
def test_a_misspelt_key_gets_the_key_it_probably_meant(
    tmp_path: Path, typo: str, meant: str
) -> None:
    write(tmp_path / "pyproject.toml", f'[tool.confluence-sync]\n{typo} = "x"\nbogus = 1\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(cwd=tmp_path, env={})
    message = str(caught.value)
    assert f"{typo}: unknown key (did you mean '{meant}'?)" in message
    assert "bogus: unknown key\n" in message + "\n"  # nothing close: no guess
