"""Settings: the project's ``[tool.confluence-sync]`` table, the ``CONFLUENCE_*`` environment and
CLI overrides, validated once into one frozen object.

The target and the secret come only from the environment so that a repository never carries
credentials, and the token is a ``SecretStr`` so it cannot leak through a repr or a log line.
"""

from __future__ import annotations

import difflib
import os
import re
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal, cast
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from confluence_sync.credentials import (
    ATLASSIAN_GATEWAY,
    ATLASSIAN_TOKEN_URL,
    credential_problems,
    credential_settings,
)
from confluence_sync.errors import ConfigError, Problem, display_path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

TABLE = "tool.confluence-sync"
API_CHOICES = ("auto", "v1", "v2")
Api = Literal["auto", "v1", "v2"]
Renderer = Literal["markdown", "mkdocs"]  # "mkdocs": MkDocs builds the pages (source/mkdocs_site)
# "warn": a broken link or anchor (missing page, file or heading) is a warning and publishes as
# its text, for migrations; "error" (the default) stops the run, as a broken link is a mistake.
LinksMode = Literal["error", "warn"]
# "image": Mermaid and PlantUML fences are drawn to PNG attachments (the renderers must be
# installed); "code": they publish as code blocks (with a warning), as before.
DiagramsMode = Literal["image", "code"]
# "image": LaTeX math drawn to PNG attachments (matplotlib, the ``diagrams`` extra); "macro": the
# ``mathinline``/``mathblock`` macros, for sites with a math app installed.
MathMode = Literal["image", "macro"]
DEFAULT_TEMPLATE = "content/template/postmortem.yaml"
DEFAULT_TIMEOUT = 60.0
TIMEOUT_VAR = "CONFLUENCE_TIMEOUT"
TIMEOUT_RULE = "must be a number of seconds > 0 (for connecting, and for each answer)"


class ProjectTable(BaseModel):
    """What a user may write under ``[tool.confluence-sync]``; anything else is a mistake."""

    model_config = ConfigDict(extra="forbid", strict=True)

    space: str = "DEV"
    content_dir: str = "content"
    parent: str | int | None = None
    labels: list[str] = Field(default_factory=list)
    template: str = DEFAULT_TEMPLATE
    postmortems_title: str = "Postmortems"
    mkdocs: str | None = None
    renderer: Renderer = "markdown"
    managed_label: str = "confluence-sync"
    strict_front_matter: bool = False
    site: str | None = None
    adopt: bool = False
    links: LinksMode = "error"
    diagrams: DiagramsMode = "image"
    math: MathMode = "image"
    # GitHub refuses files over 100 MiB; a wiki editor should not be able to fill the checkout
    pull_max_attachment_mib: int = Field(default=50, gt=0)
    timeout: float = DEFAULT_TIMEOUT

    @field_validator("timeout")
    @classmethod
    def _timeout(cls, value: float) -> float:
        if not value > 0:
            raise ValueError(TIMEOUT_RULE)
        return value

    @field_validator("site")
    @classmethod
    def _site_name(cls, value: str | None) -> str | None:
        if value is not None and not is_site_name(value):
            raise ValueError(SITE_RULE)
        return value

    @field_validator("space")
    @classmethod
    def _space_key(cls, value: str) -> str:
        if not is_space_key(value):
            raise ValueError(SPACE_KEY_RULE)
        return value


SPACE_KEY_RULE = "must be a Confluence space key such as DEV (letters, digits and _)"
SITE_RULE = "must be 1 to 100 printable characters without spaces, e.g. acme/postmortem-guide"


def is_site_name(value: str) -> bool:
    return 0 < len(value) <= 100 and value.isprintable() and not any(c.isspace() for c in value)


def is_space_key(value: str) -> bool:
    """Letters, digits and underscores: the key goes into CQL and URL paths, so anything else
    (quotes, spaces, slashes) is refused rather than escaped."""
    return bool(value) and value.isascii() and value.replace("_", "").isalnum()


class Settings(BaseModel):
    """Everything a command needs to know about the project and its target."""

    model_config = ConfigDict(frozen=True)

    root: Path
    config_file: Path | None = None
    space: str = "DEV"
    site: str = ""
    adopt: bool = False
    pull_max_attachment_bytes: int = 50 * 1024 * 1024  # an attachment pull would save, at most
    content_dir: Path
    parent: str | None = None
    labels: tuple[str, ...] = ()
    template: Path | None  # None: not configured and absent at the default path
    postmortems_title: str = "Postmortems"
    mkdocs: Path | None = None
    renderer: Renderer = "markdown"
    strict: bool = False  # warnings are errors, as with ``mkdocs build --strict``
    managed_label: str = "confluence-sync"
    strict_front_matter: bool = False  # every unknown front-matter key is an error
    url: str | None = None
    user: str | None = None
    token: SecretStr | None = None
    local_data: Path
    api: Api = "auto"  # CONFLUENCE_API or --api; see publish/api_choice
    links: LinksMode = "error"
    diagrams: DiagramsMode = "image"
    math: MathMode = "image"
    # service accounts, through Atlassian's API gateway (credentials.py)
    client_id: str | None = None
    client_secret: SecretStr | None = None
    cloud_id: str | None = None
    gateway: bool = False
    gateway_url: str = ATLASSIAN_GATEWAY
    token_url: str = ATLASSIAN_TOKEN_URL
    timeout: float = DEFAULT_TIMEOUT  # seconds to connect, and to wait for each answer

    def relative(self, path: Path) -> str:
        """A path as users see it in messages: relative to the repository when inside it."""
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)


def load_settings(
    config_path: Path | None = None,
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    **overrides: Any,
) -> Settings:
    """Read, merge and validate the configuration; every problem is reported at once."""
    env = os.environ if env is None else env
    cwd = (cwd or Path.cwd()).resolve()
    config_file = (cwd / config_path).resolve() if config_path else find_config(cwd)
    if config_path and not config_file.is_file():
        raise ConfigError([Problem(str(config_path), "configuration file not found")])
    raw = _read_table(config_file) if config_file.is_file() else {}
    raw.update({k: v for k, v in overrides.items() if v is not None})
    problems = environment_problems(env)
    try:
        table = ProjectTable.model_validate(raw)
    except ValidationError as exc:
        problems = _problems(exc, config_file, cwd) + problems
    if problems:
        raise ConfigError(problems)
    root = config_file.parent
    return _settings(table, root, config_file if config_file.is_file() else None, env)


def find_config(cwd: Path) -> Path:
    """The nearest ``pyproject.toml`` with a ``[tool.confluence-sync]`` table, from ``cwd``
    upwards (as ruff and black look for theirs), so the tool works from any subfolder of the
    repository. With none, ``cwd/pyproject.toml`` (which may not exist: defaults apply)."""
    for folder in (cwd, *cwd.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and "[tool.confluence-sync]" in _text(candidate):
            return candidate
    return cwd / "pyproject.toml"


def describe_config(config_file: Path | None) -> str:
    """Which pyproject.toml was used (found from the working directory upwards), or that none
    was, so a run from the wrong folder says so instead of failing obscurely."""
    if config_file is None:
        return "no pyproject.toml with [tool.confluence-sync] here or above; using the defaults"
    return shown_path(config_file)


def shown_path(path: Path) -> str:
    """A path relative to the working directory, ``../..`` included when it is near; absolute
    when it is far away."""
    relative = Path(os.path.relpath(path, Path.cwd()))
    return relative.as_posix() if relative.parts[:4].count("..") < 4 else str(path)


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def derive_site(root: Path) -> str:
    """The site identity when none is configured: the git remote's ``owner/name``, else the
    repository folder's name. Printed on the first line so users notice what it is."""
    remote = git_output(root, "config", "--get", "remote.origin.url") or ""
    parts = [p for p in re.split(r"[:/]", remote.removesuffix(".git")) if p]
    if len(parts) >= 2:
        return "/".join(parts[-2:])
    return root.resolve().name or "confluence-sync"


def git_output(root: Path, *args: str) -> str | None:
    """What ``git ARGS`` prints in ``root``, or None outside a checkout or without git."""
    try:
        done = subprocess.run(
            ["git", *args], cwd=root, text=True, capture_output=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def environment_problems(env: Mapping[str, str]) -> list[Problem]:
    """Every ``CONFLUENCE_*`` variable checked at once, so a CI job sees all its mistakes in
    one run rather than one per run."""
    from confluence_sync.publish.retry import RetryPolicy  # the rules live with the policy

    url = (env.get("CONFLUENCE_URL") or "").strip().rstrip("/")
    problems = url_problems(url) + credential_problems(env, url)
    space = env.get("CONFLUENCE_SPACE")
    if space and not is_space_key(space):
        problems.append(Problem("CONFLUENCE_SPACE", f"{SPACE_KEY_RULE}, not {space!r}"))
    api = (env.get("CONFLUENCE_API") or "auto").strip().lower()
    if api not in API_CHOICES:
        problems.append(Problem("CONFLUENCE_API", f"must be auto, v1 or v2, not {api!r}"))
    if env_timeout(env) is None:
        problems.append(Problem(TIMEOUT_VAR, f"{TIMEOUT_RULE}, not {env[TIMEOUT_VAR]!r}"))
    try:
        RetryPolicy.from_env(env)
    except ConfigError as exc:
        problems.extend(exc.problems)
    return problems


def env_timeout(env: Mapping[str, str]) -> float | None:
    """``CONFLUENCE_TIMEOUT`` in seconds, ``0.0`` when unset (the table's value applies), None
    when it is not a positive number."""
    raw = env.get(TIMEOUT_VAR, "").strip()
    if not raw:
        return 0.0
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if value > 0 and value != float("inf") else None


def _settings(
    table: ProjectTable, root: Path, config_file: Path | None, env: Mapping[str, str]
) -> Settings:
    url = (env.get("CONFLUENCE_URL") or "").strip().rstrip("/") or None
    token = env.get("CONFLUENCE_TOKEN") or None
    api = (env.get("CONFLUENCE_API") or "auto").strip().lower()  # checked above
    return Settings(
        root=root,
        config_file=config_file,
        space=env.get("CONFLUENCE_SPACE") or table.space,
        content_dir=(root / table.content_dir).resolve(),
        parent=None if table.parent is None else str(table.parent),
        labels=tuple(table.labels),
        template=_template_path(root, table.template),
        postmortems_title=table.postmortems_title,
        mkdocs=(root / table.mkdocs).resolve() if table.mkdocs else None,
        renderer=table.renderer,
        managed_label=table.managed_label,
        strict_front_matter=table.strict_front_matter,
        site=table.site or derive_site(root),
        adopt=table.adopt,
        pull_max_attachment_bytes=table.pull_max_attachment_mib * 1024 * 1024,
        url=url,
        user=env.get("CONFLUENCE_USER") or None,
        token=SecretStr(token) if token else None,
        local_data=root / ".confluence-sync" / "wiki",
        api=cast(Api, api),
        links=table.links,
        diagrams=table.diagrams,
        math=table.math,
        **credential_settings(env),
        timeout=env_timeout(env) or table.timeout,
    )


def url_problems(url: str | None) -> list[Problem]:
    """``CONFLUENCE_URL`` must be a plain address: credentials written into it
    (``https://user:token@host``) would be printed in every Target line and log, so they are
    refused, and the message never repeats the URL."""
    if not url:
        return []
    if not url.startswith(("http://", "https://")):
        return [Problem("CONFLUENCE_URL", "must start with http:// or https://")]
    if "@" in urlsplit(url).netloc:
        return [
            Problem(
                "CONFLUENCE_URL",
                "must not contain credentials (user:token@); "
                "set CONFLUENCE_USER and CONFLUENCE_TOKEN instead",
            )
        ]
    return []


def did_you_mean(key: str, known: Iterable[str]) -> str:
    """``" (did you mean 'content_dir'?)"`` for a key close to a known one, else ``""``."""
    close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.7)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _template_path(root: Path, configured: str) -> Path | None:
    path = (root / configured).resolve()
    if configured == DEFAULT_TEMPLATE and not path.exists():
        return None
    return path


def _read_table(config_file: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(config_file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([Problem(str(config_file), f"invalid TOML: {exc}")]) from None
    table = data.get("tool", {}).get("confluence-sync", {})
    if not isinstance(table, dict):
        raise ConfigError([Problem(str(config_file), f"[{TABLE}] must be a table")])
    return dict(table)


def _problems(exc: ValidationError, config_file: Path, cwd: Path) -> list[Problem]:
    shown = display_path(config_file, cwd)
    problems = []
    for error in exc.errors():
        key = ".".join(str(part) for part in error["loc"])
        if error["type"] == "extra_forbidden":
            message = f"[{TABLE}] {key}: unknown key{did_you_mean(key, ProjectTable.model_fields)}"
        else:
            message = f"[{TABLE}] {key}: {error['msg']}"
        problems.append(Problem(shown, message))
    return problems
