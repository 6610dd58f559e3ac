"""Validation against Atlassian's REST v2 schemas, from the trimmed copy in
``fixtures/specs`` (component schemas, and the page create and update request bodies)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SPEC = Path(__file__).parent / "fixtures" / "specs" / "confluence-cloud-v2-current.json"


def _nullable(node: Any) -> Any:
    """OpenAPI 3.0's ``nullable: true`` is JSON Schema's ``type: [T, "null"]``; so is a
    field whose description says it is null in some case (``parentId``: "or null if there is no
    parent page"), which the spec forgot to mark. The page
    request bodies offer the flat and the nested body as ``oneOf``, but neither schema requires
    a field, so every body matches both and ``oneOf`` could never pass: read it as ``anyOf``."""
    if isinstance(node, dict):
        out = {k: _nullable(v) for k, v in node.items()}
        documented_null = "or null if" in str(out.get("description", ""))
        if (out.pop("nullable", False) or documented_null) and isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        if "oneOf" in out and any("BodyWrite" in str(o) for o in out["oneOf"]):
            out["anyOf"] = out.pop("oneOf")
        return out
    if isinstance(node, list):
        return [_nullable(v) for v in node]
    return node


@cache
def _document() -> dict[str, Any]:
    return dict(_nullable(json.loads(SPEC.read_text(encoding="utf-8"))))


def assert_valid(schema: str, instance: Any) -> None:
    uri = "urn:confluence:v2"
    registry: Registry = Registry().with_resource(
        uri, Resource.from_contents(_document(), default_specification=DRAFT4)
    )
    ref = (
        f"{uri}#/components/requestBodies/{schema}/content/application~1json/schema"
        if schema.endswith("Request") and schema.startswith("Page")
        else f"{uri}#/components/schemas/{schema}"
    )
    validator = Draft4Validator({"$ref": ref}, registry=registry)
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(instance)]
    assert not errors, f"{schema}: {errors}"


def assert_collection(item_schema: str, body: dict[str, Any]) -> None:
    assert set(body) <= {"results", "_links"} and isinstance(body["results"], list)
    assert_valid("MultiEntityLinks", body["_links"])
    for item in body["results"]:
        assert_valid(item_schema, item)
