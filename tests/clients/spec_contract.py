"""Every JSON answer a client got, checked against the vendored Atlassian OpenAPI documents.

Each recorded exchange is matched to the documented operation (method and path template) in the
v2 document (``/wiki/api/v2/...``) or, for REST v1, the 2021 document (which still documents the
``/content`` family) and then the current one; the documented schema for the answer's status
validates the body. An exchange that matches no documented operation is reported too: it means
a client called something the trimmed documents lack (add its path to ``trim_specs.py``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator
from recording_proxy import Exchange
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4
from v2_schema import _nullable

SPECS = Path(__file__).resolve().parent.parent / "fixtures" / "specs"
V1_DOCUMENTS = ("confluence-cloud-v1-2021.json", "confluence-cloud-v1-current.json")
V2_DOCUMENT = "confluence-cloud-v2-current.json"


@cache
def _document(name: str) -> dict[str, Any]:
    return dict(_nullable(json.loads((SPECS / name).read_text(encoding="utf-8"))))


@cache
def _templates(name: str) -> list[tuple[re.Pattern[str], str]]:
    """Path templates of a document, longest literal first, as anchored patterns."""
    out = []
    for template in _document(name)["paths"]:
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        out.append((re.compile(f"^{pattern}$"), template))
    return sorted(out, key=lambda item: -len(re.sub(r"\{[^}]+\}", "", item[1])))


def _operation(path: str, method: str) -> tuple[str, dict[str, Any]] | None:
    """The documented operation for a request path as the wiki saw it (a trailing slash, which
    some clients add to ``/content/``, names the same resource)."""
    path = path.rstrip("/")
    if "/api/v2/" in path:
        candidates = [(V2_DOCUMENT, "/" + path.split("/api/v2/", 1)[1])]
    else:
        rest = "/wiki/rest/api/" + path.split("/rest/api/", 1)[-1]
        candidates = [(name, rest) for name in V1_DOCUMENTS]
    for name, spec_path in candidates:
        for pattern, template in _templates(name):
            operation = _document(name)["paths"][template].get(method.lower())
            if pattern.match(spec_path) and operation is not None:
                return name, operation
    return None


def _schema(operation: dict[str, Any], status: int) -> Any:
    answer = operation.get("responses", {}).get(str(status), {})
    return answer.get("content", {}).get("application/json", {}).get("schema")


def problems(exchanges: Iterable[Exchange]) -> list[str]:
    """What does not match the documents: one line per undocumented call or invalid answer."""
    found: list[str] = []
    for ex in exchanges:
        if "/rest/api/" not in ex.path and "/api/v2/" not in ex.path:
            continue  # downloads and web pages: not REST
        matched = _operation(ex.path, ex.method)
        if matched is None:
            found.append(f"undocumented: {ex.method} {ex.path}")
            continue
        name, operation = matched
        schema = _schema(operation, ex.status)
        if schema is None or ex.body is None:
            continue
        for error in _validator(name, json.dumps(schema, sort_keys=True)).iter_errors(ex.body):
            where = "/".join(str(p) for p in error.absolute_path)
            found.append(f"{ex.method} {ex.path} {ex.status} [{where}]: {error.message[:200]}")
    return found


@cache
def _validator(name: str, schema_json: str) -> Draft4Validator:
    uri = f"urn:confluence:{name}"
    registry: Registry = Registry().with_resource(
        uri, Resource.from_contents(_document(name), default_specification=DRAFT4)
    )
    schema = _rebase(json.loads(schema_json), uri)
    return Draft4Validator(schema, registry=registry)


def _rebase(node: Any, uri: str) -> Any:
    """Point the schema's local ``$ref``s at the registered document."""
    if isinstance(node, dict):
        return {
            k: (f"{uri}{v}" if k == "$ref" and v.startswith("#") else _rebase(v, uri))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_rebase(v, uri) for v in node]
    return node
