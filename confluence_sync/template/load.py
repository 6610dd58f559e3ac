"""Reading the template and incident YAML files, with errors that point at a file, line and field.

People fix these files by hand, so every problem is reported at once and located precisely
(``incidents/x.yaml:12: timeline[3].at: must include a timezone``). Lines come from PyYAML's node
tree: the file is composed once, and the same nodes are both constructed into data and searched
for the line of each failing field path.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any, TypeVar, get_args

import yaml
from pydantic import BaseModel, ValidationError
from yaml.nodes import MappingNode, Node, SequenceNode

from confluence_sync.errors import Problem, TemplateError, display_path
from confluence_sync.template.incident_model import Incident
from confluence_sync.template.postmortem_template import (
    COMPUTED_FIELDS,
    FieldIssues,
    Loc,
    PostmortemTemplate,
    _dotted,
)

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


class IncidentLoader(yaml.SafeLoader):
    """Safe loader that leaves timestamps as strings: Pydantic parses them, and a missing
    timezone must stay visible instead of being turned into a naive datetime silently."""


IncidentLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != _TIMESTAMP_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _compose(path: Path, shown: str) -> tuple[Any, Node | None]:
    """Parse one YAML document into (data, node tree); syntax errors become a TemplateError."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError([Problem(shown, f"cannot read file: {exc}")]) from exc
    loader = IncidentLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise TemplateError([Problem(shown, f"invalid YAML: {exc.problem}", line)]) from exc
    except yaml.YAMLError as exc:
        raise TemplateError([Problem(shown, f"invalid YAML: {exc}")]) from exc
    finally:
        loader.dispose()
    return data, node


def _duplicate_keys(node: Node | None, shown: str) -> list[Problem]:
    """YAML lets a later key silently replace an earlier one; for a form people fill in by hand
    that almost always means a lost edit, so it is reported."""
    problems: list[Problem] = []
    if isinstance(node, MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            line = key.start_mark.line + 1
            name = str(key.value)
            if name in seen:
                msg = f"{name}: duplicate key (first at line {seen[name]})"
                problems.append(Problem(shown, msg, line))
            seen.setdefault(name, line)
            problems += _duplicate_keys(value, shown)
    elif isinstance(node, SequenceNode):
        for item in node.value:
            problems += _duplicate_keys(item, shown)
    return problems


def line_of(node: Node | None, loc: Loc) -> int | None:
    """Line of the deepest node along ``loc`` (a missing field points at its parent)."""
    if node is None:
        return None
    line = int(node.start_mark.line) + 1
    for part in loc:
        if isinstance(node, MappingNode):
            pair = next(((k, v) for k, v in node.value if str(k.value) == str(part)), None)
            if pair is None:
                break
            line, node = int(pair[0].start_mark.line) + 1, pair[1]
        elif isinstance(node, SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = int(node.start_mark.line) + 1
        else:
            break
    return line


def _model_at(model: type[BaseModel] | None, loc: Loc) -> type[BaseModel] | None:
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        field = model.model_fields.get(part)
        model = _inner_model(field.annotation) if field is not None else None
    return model


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    stack = [annotation]
    while stack:
        current = stack.pop()
        if isinstance(current, type) and issubclass(current, BaseModel):
            return current
        stack.extend(get_args(current))
    return None


def _unknown_field(model: type[BaseModel], loc: Loc) -> str:
    name = str(loc[-1]) if loc else ""
    if name in COMPUTED_FIELDS:
        return "is computed from the timestamps (started_at … resolved_at); remove it"
    owner = _model_at(model, loc[:-1])
    allowed = list(owner.model_fields) if owner is not None else []
    close = difflib.get_close_matches(name, allowed, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown field{hint} (allowed: {', '.join(allowed)})" if allowed else "unknown field"


_FIXED = {
    "missing": "required",
    "timezone_aware": "must include a timezone, e.g. 2026-11-20T14:03:00Z",
    "string_too_short": "must not be empty",
}


def _message(error: Mapping[str, Any], model: type[BaseModel]) -> str:
    kind, loc = error["type"], tuple(error["loc"])
    if kind in _FIXED:
        return _FIXED[kind]
    if kind == "extra_forbidden":
        return _unknown_field(model, loc)
    if kind == "string_pattern_mismatch":
        if loc and loc[-1] == "ticket":
            return f"must be an issue key like OPS-123 or an http(s) URL (got {error['input']!r})"
        return f"must be a lowercase label without spaces (got {error['input']!r})"
    msg = str(error["msg"]).removeprefix("Value error, ")
    if kind in ("enum", "literal_error"):
        msg += f" (got {error['input']!r})"
    return msg[:1].lower() + msg[1:]


def field_errors(exc: ValidationError, model: type[BaseModel]) -> list[tuple[Loc, str]]:
    """Flatten a ValidationError into (field path, message), expanding :class:`FieldIssues`."""
    out: list[tuple[Loc, str]] = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        cause = (error.get("ctx") or {}).get("error")
        if isinstance(cause, FieldIssues):
            out.extend(((*loc, *sub), msg) for sub, msg in cause.issues)
        else:
            out.append((loc, _message(error, model)))
    return out


def _problem(shown: str, node: Node | None, loc: Loc, message: str, flags: set[str]) -> Problem:
    """A problem in the file, or on the command line when a flag overrode that field."""
    if loc and loc[0] in flags:
        return Problem("command line", f"--{str(loc[0]).replace('_', '-')}: {message}")
    where = f"{_dotted(loc)}: " if loc else ""
    return Problem(shown, where + message, line_of(node, loc))


def _validate(path: Path, model: type[M], context: Mapping[str, Any] | None, **extra: Any) -> M:
    shown = display_path(path)
    data, node = _compose(path, shown)
    problems = _duplicate_keys(node, shown)
    if not isinstance(data, dict):
        problems.append(Problem(shown, "must be a mapping of field: value", 1))
        raise TemplateError(problems)
    data.update(extra)
    try:
        result = model.model_validate(data, context=dict(context or {}))
    except ValidationError as exc:
        flags = set(extra)
        problems += [_problem(shown, node, loc, m, flags) for loc, m in field_errors(exc, model)]
        result = None
    if problems:
        raise TemplateError(sorted(problems, key=lambda p: p.line or 0))
    assert result is not None
    return result


def load_template(path: Path) -> PostmortemTemplate:
    """Read and validate the postmortem template file; all problems in one TemplateError."""
    template = _validate(Path(path), PostmortemTemplate, None)
    log.debug("loaded template %s with %d sections", path, len(template.sections))
    return template


def load_incident(
    path: Path, template: PostmortemTemplate, *, overrides: Mapping[str, Any] | None = None
) -> Incident:
    """Read and validate an incident file against ``template``.

    ``overrides`` replace top-level fields before validation (``incident new --from FILE
    --severity SEV-1``); ``None`` values in it are ignored.
    """
    extra = {k: v for k, v in (overrides or {}).items() if v is not None}
    return _validate(Path(path), Incident, {"template": template}, **extra)


def new_incident(
    template: PostmortemTemplate,
    *,
    title: str,
    date: date,
    severity: str | None = None,
    owner: str | None = None,
) -> Incident:
    """A Draft incident from ``incident new`` flags; its sections stay empty and show guidance.

    Problems name the flag (``--owner: required``). Severity defaults to the least severe level
    that still requires a postmortem (SEV-2 with the default policy).
    """
    data: dict[str, Any] = {"title": title, "date": date, "owner": owner}
    data["severity"] = severity if severity is not None else _default_severity(template)
    data = {k: v for k, v in data.items() if v is not None}
    try:
        return Incident.model_validate(data, context={"template": template})
    except ValidationError as exc:
        problems = [
            Problem("incident new", _flag_message(loc, msg) if loc else msg)
            for loc, msg in field_errors(exc, Incident)
        ]
        raise TemplateError(problems) from exc


def _flag_message(loc: Loc, message: str) -> str:
    """``--owner: required``, with what would have given the default."""
    hint = " (pass --owner NAME, or set git's user.name)" if loc[0] == "owner" else ""
    return f"--{str(loc[0]).replace('_', '-')}: {message}{hint}"


def _default_severity(template: PostmortemTemplate) -> str:
    required = [s for s in template.scale if s in template.policy.required_for]
    return required[-1] if required else template.scale[0]


def load_template_or_default(path: Path | None) -> PostmortemTemplate:
    """The configured template file, or the built-in defaults when none is configured."""
    return load_template(path) if path is not None else PostmortemTemplate()


def validate_incident_files(
    paths: Sequence[Path], template: PostmortemTemplate
) -> tuple[list[str], list[Problem]]:
    """Validate each file independently: (display paths of the valid ones, every problem)."""
    valid: list[str] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            load_incident(path, template)
        except TemplateError as exc:
            problems.extend(exc.problems)
        else:
            valid.append(display_path(Path(path)))
    return valid, problems
