"""The ``expand`` query parameter of Confluence REST v1."""

from __future__ import annotations


class Expansion:
    """A parsed ``expand`` parameter: ``a.b,c`` -> top-level keys and their sub-paths."""

    def __init__(self, raw: str | None) -> None:
        self.paths = {p.strip() for p in (raw or "").split(",") if p.strip()}

    def has(self, key: str) -> bool:
        return any(p == key or p.startswith(key + ".") for p in self.paths)

    def sub(self, key: str) -> list[str]:
        return [p[len(key) + 1 :] for p in self.paths if p.startswith(key + ".")]

    def with_defaults(self, *keys: str) -> Expansion:
        merged = Expansion(None)
        merged.paths = self.paths | set(keys)
        return merged
