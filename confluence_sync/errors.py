"""The exception family. Library code raises these; only the CLI turns them into messages.

Each class carries the exit code the CLI uses, so the mapping from failure kind to exit status
lives in one place (DESIGN.md: 1 drift/conflict, 2 bad input, 3 remote failure).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

import click

Level = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as we can (``path:line: message``).

    A warning is content that publishes but loses something (a dropped tag, an ignored key);
    only errors stop a run.
    """

    path: str
    message: str
    line: int | None = None
    level: Level = "error"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"

    def display(self) -> str:
        """The printed form, ``path:line: level: message``, the shape linters use so editors and
        CI annotate it."""
        from confluence_sync.output_text import printable

        where = f"{self.path}:{self.line}" if self.line else self.path
        return printable(f"{where}: {self.level}: {self.message}")


def count_summary(problems: Iterable[Problem]) -> str:
    """``2 errors, 1 warning``: the tail of a check's summary line."""
    found = list(problems)
    errors = sum(1 for p in found if p.level == "error")
    warnings = len(found) - errors
    parts = [f"{errors} error{'' if errors == 1 else 's'}"] if errors else []
    if warnings:
        parts.append(f"{warnings} warning{'' if warnings == 1 else 's'}")
    return ", ".join(parts) or "no problems"


def display_path(path: Path, base: Path | None = None) -> str:
    """A file as the user would type it in a shell: relative to the working directory (``base``)
    when inside it, so messages can be pasted straight into an editor or a command."""
    try:
        return path.resolve().relative_to((base or Path.cwd()).resolve()).as_posix()
    except ValueError:
        return str(path)


REDACTED = "[redacted]"
_AUTH_HEADER = re.compile(r"(?i)(authorization[\"']?\s*[:=]\s*[\"']?)[^\"'\r\n,}]*")
_AUTH_SCHEME = re.compile(r"(?i)\b(bearer|basic)(\s+)[A-Za-z0-9._~+/=-]{16,}")


def redact(text: str, *, token: str | None = None, user: str | None = None) -> str:
    """Remove credentials from text about to be printed (a server or proxy may echo the request's
    headers in an error body): any ``Authorization`` header value, any ``Bearer``/``Basic``
    credential, the token itself and its Basic encoding (base64 of ``user:token``)."""
    secrets = []
    if token:
        secrets.append(token)
        pair = f"{user or ''}:{token}".encode()
        secrets.append(base64.b64encode(pair).decode())
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    text = _AUTH_HEADER.sub(lambda m: m.group(1) + REDACTED, text)
    return _AUTH_SCHEME.sub(lambda m: m.group(1) + m.group(2) + REDACTED, text)


class ConfluenceSyncError(click.ClickException):
    """Root of every error we raise on purpose."""

    exit_code = 2


class InputError(ConfluenceSyncError):
    """Bad configuration, content, template or incident file. Nothing was written."""

    exit_code = 2

    def __init__(self, problems: Iterable[Problem] | str) -> None:
        if isinstance(problems, str):
            self.problems: tuple[Problem, ...] = ()
            message = problems
        else:
            self.problems = tuple(problems)
            message = "\n".join(str(p) for p in self.problems)
        super().__init__(message)

    def show(self, file: IO[Any] | None = None) -> None:
        """Problems one per line (``path:line: level: message``), as editors and CI annotate
        them, then one summary line; everything on stderr, where a command's errors go."""
        if not self.problems:
            super().show(file)
            return
        for problem in self.problems:
            click.echo(problem.display(), file=file, err=True)
        click.echo(self.summary(), file=file, err=True)

    def summary(self) -> str:
        return f"Error: {count_summary(self.problems)} found; nothing was written."


class ConfigError(InputError):
    """The project configuration or environment is invalid."""


class ConversionError(InputError):
    """Markdown that the converter cannot turn into storage format."""


class TemplateError(InputError):
    """An invalid postmortem template or incident file."""


class RemoteError(ConfluenceSyncError):
    """Confluence (or the local wiki) refused or failed: auth, network, server."""

    exit_code = 3


class AuthError(RemoteError):
    """Credentials were rejected (401/403)."""


class ConflictError(ConfluenceSyncError):
    """Pages were edited in the wiki and left alone; the run did not fully apply."""

    exit_code = 1


class RefusedError(ConfluenceSyncError):
    """Content from the wiki that pull will not bring into the repository (a page nested too
    deep to read, an unsafe attachment): exit 4, so a workflow stops before committing."""

    exit_code = 4


class AttachmentTooLarge(ConfluenceSyncError):
    """An attachment the wiki reports as larger than the caller accepts (not downloaded)."""

    def __init__(self, filename: str, size: int) -> None:
        super().__init__(f"attachment {filename!r} is {size / 2**20:.1f} MiB")
        self.filename, self.size = filename, size
