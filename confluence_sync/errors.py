"""The exception family. Library code raises these; only the CLI turns them into messages.

Each class carries the exit code the CLI uses, so the mapping from failure kind to exit status
lives in one place (DESIGN.md: 1 drift/conflict, 2 bad input, 3 remote failure).
"""

from __future__ import annotations

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


def display_path(path: Path, base: Path | None = None) -> str:
    """A file as the user would type it in a shell: relative to the working directory (``base``)
    when inside it, so messages can be pasted straight into an editor or a command."""
    try:
        return path.resolve().relative_to((base or Path.cwd()).resolve()).as_posix()
    except ValueError:
        return str(path)


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
        """Problems one per line (``path:line: message``), as editors and CI annotate them."""
        if not self.problems:
            super().show(file)
            return
        for problem in self.problems:
            click.echo(str(problem), file=file, err=True)
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        click.echo(f"Error: {count} {noun} found; nothing was written.", file=file, err=True)


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
