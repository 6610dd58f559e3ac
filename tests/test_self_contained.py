"""The repository tests itself with nothing beside it: vendored specs resolve on their own, and no
test or source file points outside the checkout."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SPECS = sorted((ROOT / "tests" / "fixtures" / "specs").glob("*.json"))


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node))
    return set()


def test_the_three_specs_are_vendored() -> None:
    assert [p.name for p in SPECS] == [
        "confluence-cloud-v1-2021.json",
        "confluence-cloud-v1-current.json",
        "confluence-cloud-v2-current.json",
    ]


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_every_ref_in_a_vendored_spec_resolves_inside_that_file(spec: Path) -> None:
    document = json.loads(spec.read_text(encoding="utf-8"))
    for ref in sorted(_refs(document)):
        assert ref.startswith("#/"), f"{spec.name}: external $ref {ref}"
        node = document
        for part in ref[2:].split("/"):
            assert part in node, f"{spec.name}: dangling $ref {ref}"
            node = node[part]


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_every_vendored_spec_records_where_it_came_from(spec: Path) -> None:
    trimmed = json.loads(spec.read_text(encoding="utf-8"))["info"]["x-trimmed"]
    assert trimmed["upstream"].startswith("https://dac-static.atlassian.com/")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", trimmed["trimmed_on"])
    assert trimmed["kept_paths"]


OUTSIDE = re.compile(r"\.\./shared|/work/shared|shared/reference|CONFLUENCE_SYNC_SPECS")
CHECKED = ("confluence_sync", "tests", "benchmarks", ".ci", ".github")


def test_no_source_or_test_file_refers_outside_the_repository() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for top in CHECKED
        for path in sorted((ROOT / top).rglob("*"))
        if path.is_file()
        and path.suffix in {".py", ".yml", ".yaml", ".md", ".toml", ""}
        and path != Path(__file__).resolve()
        for number, line in enumerate(
            path.read_text(encoding="utf-8", errors="replace").splitlines(), 1
        )
        if OUTSIDE.search(line)
    ]
    assert not offenders
