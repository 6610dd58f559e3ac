"""Where the wiki lives and how it names things: base URL, web UI paths, people."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote_plus


def display_name(username: str) -> str:
    """``jane.doe`` -> ``Jane Doe``: enough for a person to tell editors apart."""
    parts = [p for p in username.replace("_", ".").replace("-", ".").split(".") if p]
    return " ".join(p.capitalize() for p in parts) or username


def title_slug(title: str) -> str:
    return quote_plus(title, safe="")


def webui_path(space_key: str, content_id: str, title: str) -> str:
    return f"/spaces/{space_key}/pages/{content_id}/{title_slug(title)}"


@dataclass(frozen=True)
class Site:
    """Where the wiki lives, as the JSON reports it."""

    origin: str  # http://127.0.0.1:PORT
    context: str  # "/wiki" (cloud) or "" (server)
    cloud: bool

    @property
    def base(self) -> str:
        return self.origin + self.context
