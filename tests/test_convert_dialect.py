"""The converter's core takes its constructs as a list of ``Extension``s (issue 26): a new
construct is one extension, its syntax works wherever Markdown does (nested in raw HTML and in
panels too), a construct left out of the list is not parsed, and a later extension's rule for a
node type replaces an earlier one's."""

from __future__ import annotations

import re
from types import MappingProxyType

import pytest
from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.tree import SyntaxTreeNode

from confluence_sync.convert import macros, markdown_to_storage
from confluence_sync.convert.dialect import Dialect
from confluence_sync.convert.extension import Extension
from confluence_sync.convert.parser import EXTENSIONS
from confluence_sync.convert.render_context import RenderContext
from confluence_sync.errors import ConversionError

_ISSUE = re.compile(r"\{\{jira:([A-Z][A-Z0-9]*-\d+)\}\}")


def _issue_syntax(state: StateInline, silent: bool) -> bool:
    """``{{jira:OPS-12}}``: a Jira issue reference."""
    match = _ISSUE.match(state.src, state.pos)
    if match is None:
        return False
    if not silent:
        state.push("jira_issue", "", 0).content = match.group(1)
    state.pos = match.end()
    return True


def _issue_plugin(md: MarkdownIt) -> None:
    md.inline.ruler.before("emphasis", "jira_issue", _issue_syntax)


def _issue(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    return macros.jira(node.content)


JIRA = Extension("jira", plugins=(_issue_plugin,), rules=MappingProxyType({"jira_issue": _issue}))


def storage(dialect: Dialect, text: str) -> str:
    return dialect.parser.render(text)


def test_a_new_construct_is_one_extension_and_works_wherever_markdown_does() -> None:
    dialect = Dialect.of([*EXTENSIONS, JIRA])
    jira = macros.jira("OPS-12")
    assert storage(dialect, "See {{jira:OPS-12}}.") == f"<p>See {jira}.</p>"
    in_html = storage(dialect, '<div markdown="1">\nSee {{jira:OPS-12}}.\n</div>\n')
    assert f"<p>See {jira}.</p>" in in_html
    in_panel = storage(dialect, '!!! danger "Open"\n    Tracked in {{jira:OPS-12}}.\n')
    assert 'ac:name="warning"' in in_panel
    assert jira in in_panel
    assert markdown_to_storage("See {{jira:OPS-12}}.") == "<p>See {{jira:OPS-12}}.</p>"


def test_a_construct_left_out_of_the_list_is_not_parsed() -> None:
    table = "| a |\n|---|\n| b |\n"
    assert "<table>" in storage(Dialect.of(EXTENSIONS), table)
    without = Dialect.of([e for e in EXTENSIONS if e.name != "tables"])
    assert storage(without, table) == "<p>| a |\n|---|\n| b |</p>"
    no_html = Dialect.of([e for e in EXTENSIONS if e.name != "rawhtml"])
    assert storage(no_html, "a <kbd>b</kbd>") == "<p>a &lt;kbd&gt;b&lt;/kbd&gt;</p>"


def test_a_later_extension_replaces_a_rule_for_the_same_node_type() -> None:
    def dinkus(node: SyntaxTreeNode, ctx: RenderContext) -> str:
        return "<p>* * *</p>"

    stars = Extension("dinkus", rules=MappingProxyType({"hr": dinkus}))
    assert storage(Dialect.of(EXTENSIONS), "a\n\n---\n\nb") == "<p>a</p>\n<hr/>\n<p>b</p>"
    assert storage(Dialect.of([*EXTENSIONS, stars]), "a\n\n***\n\nb") == (
        "<p>a</p>\n<p>* * *</p>\n<p>b</p>"
    )


def test_syntax_without_a_rule_is_refused_at_its_line() -> None:
    syntax_only = Extension("jira syntax", plugins=JIRA.plugins)
    with pytest.raises(ConversionError, match=r":3: no rule to render 'jira_issue'"):
        storage(Dialect.of([*EXTENSIONS, syntax_only]), "text\n\nSee {{jira:OPS-12}}.\n")
