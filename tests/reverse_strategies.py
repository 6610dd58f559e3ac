"""Hypothesis strategies for Markdown documents a guide author would write: every block and inline
construct of the dialect, nested, with punctuation that needs escaping in the text."""

from __future__ import annotations

import re

from hypothesis import strategies as st

_WORD_CHARS = "abcXYZ019 éß_*`[]<>&#|~!?+-=.:()\\\"'@/\u00a0"
words = st.text(alphabet=_WORD_CHARS, min_size=1, max_size=12).filter(lambda s: s.strip())
plain = st.text(alphabet="abcdefgh xyz", min_size=1, max_size=10).filter(lambda s: s.strip())


def _escape(text: str) -> str:
    """Text as an author would type it to get exactly these characters."""
    out = []
    for char in text:
        if char in "\\`*_[]<>&#|~!?+-=.:()\"'@/":
            out.append("\\" + char)
        elif char == "\u00a0":
            out.append("&nbsp;")
        else:
            out.append(char)
    return "".join(out).strip()


def _no_layout_spaces(text: str) -> str:
    """A no-break space next to a space or at the end of a block is layout, which pull drops."""
    return re.sub("[ \u00a0]*\u00a0[ \u00a0]*", lambda m: " " if " " in m[0] else m[0], text).strip(
        " \u00a0"
    )


text = words.map(_no_layout_spaces).map(_escape).filter(bool)
url = st.sampled_from(
    ["https://example.com", "https://example.com/a_b?c=1&d=2", "mailto:x@example.com", "/abs"]
)


@st.composite
def inline(draw: st.DrawFn, depth: int = 0) -> str:
    kinds = ["text", "text", "code", "link", "page", "image", "html", "br"]
    if depth < 2:
        kinds += ["em", "strong", "strike"]
    kind = draw(st.sampled_from(kinds))
    if kind == "text":
        return draw(text)
    if kind == "code":
        return "`" + draw(plain) + "`"
    if kind == "em":
        return "*" + draw(inline(depth + 1)) + "*"
    if kind == "strong":
        return "**" + draw(inline(depth + 1)) + "**"
    if kind == "strike":
        return "~~" + draw(inline(depth + 1)) + "~~"
    if kind == "link":
        return f"[{draw(plain)}]({draw(url)})"
    if kind == "page":
        anchor = draw(st.sampled_from(["", "#sec-1"]))
        return f"[{draw(plain)}]({draw(plain).strip().replace(' ', '-')}.md{anchor})"
    if kind == "image":
        return f"![{draw(plain)}](images/{draw(st.sampled_from(['a.png', 'b c.svg']))})"
    if kind == "html":
        tag = draw(st.sampled_from(["sub", "sup", "kbd", "u", "small"]))
        return f"<{tag}>{draw(plain)}</{tag}>"
    return "<br>"


@st.composite
def line(draw: st.DrawFn) -> str:
    parts = draw(st.lists(inline(), min_size=1, max_size=5))
    if parts[0] == "<br>":  # alone on a line it is an HTML block, shown as text
        parts.insert(0, draw(text))
    return " ".join(parts)


@st.composite
def paragraph(draw: st.DrawFn) -> str:
    return "\n".join(draw(st.lists(line(), min_size=1, max_size=3)))


def _indent(block: str, first: str, rest: str) -> str:
    lines = block.split("\n")
    return "\n".join([first + lines[0]] + [(rest + x) if x else "" for x in lines[1:]])


@st.composite
def bullet_list(draw: st.DrawFn, depth: int = 0) -> str:
    ordered = draw(st.booleans())
    tasks = not ordered and draw(st.booleans())
    loose = draw(st.booleans())
    items = []
    for number in range(1, draw(st.integers(1, 3)) + 1):
        marker = f"{number}." if ordered else "-"
        if tasks:
            marker += draw(st.sampled_from([" [ ]", " [x]"]))
        body = draw(line())
        if depth < 2 and draw(st.integers(0, 3)) == 0:
            body += "\n" + draw(bullet_list(depth + 1))
        items.append(_indent(body, marker + " ", " " * (len(marker.split(" ")[0]) + 1)))
    return ("\n\n" if loose else "\n").join(items)


@st.composite
def table(draw: st.DrawFn) -> str:
    width = draw(st.integers(1, 3))
    aligns = draw(
        st.lists(st.sampled_from(["---", ":---", ":---:", "---:"]), min_size=width, max_size=width)
    )
    rows = draw(st.lists(st.lists(line(), min_size=width, max_size=width), min_size=1, max_size=3))
    lines = ["| " + " | ".join(r) + " |" for r in rows]
    lines.insert(1, "|" + "|".join(aligns) + "|")
    return "\n".join(lines)


@st.composite
def code(draw: st.DrawFn) -> str:
    language = draw(st.sampled_from(["", "python", "yaml", "sh", "rust"]))
    title = draw(st.sampled_from(["", ' title="x.py"']))
    body = draw(st.text(alphabet="ab <>&]`\n\t", max_size=20))
    return f"```{language}{title}\n{body}\n```"


@st.composite
def panel(draw: st.DrawFn) -> str:
    body = draw(paragraph())
    if draw(st.booleans()):
        kind = draw(st.sampled_from(["NOTE", "TIP", "IMPORTANT", "WARNING", "CAUTION"]))
        return f"> [!{kind}]\n" + _indent(body, "> ", "> ")
    kind = draw(st.sampled_from(["note", "tip", "warning", "danger", "important"]))
    title = draw(st.sampled_from(['""', '"Heads up"', ""]))
    return f"!!! {kind} {title}\n" + _indent(body, "    ", "    ")


@st.composite
def block(draw: st.DrawFn) -> str:
    kind = draw(
        st.sampled_from(
            ["p", "p", "h", "list", "table", "code", "panel", "quote", "hr", "anchor", "foot"]
        )
    )
    if kind == "h":
        return "#" * draw(st.integers(1, 6)) + " " + draw(line())
    if kind == "list":
        return draw(bullet_list())
    if kind == "table":
        return draw(table())
    if kind == "code":
        return draw(code())
    if kind == "panel":
        return draw(panel())
    if kind == "quote":
        return _indent(draw(paragraph()), "> ", "> ")
    if kind == "hr":
        return "***"
    if kind == "anchor":
        return '<a name="here"></a>'
    if kind == "foot":
        return draw(line()) + "[^n]\n\n[^n]: " + draw(line())
    return draw(paragraph())


def _join(blocks: list[str]) -> str:
    """Blocks one after another; two lists in a row would merge into one mixed list, which
    Markdown cannot write back (its check boxes are text outside the items' paragraphs)."""
    out: list[str] = []
    for block in blocks:
        if out and block[:1] in "-1" and out[-1][:1] in "-1":
            out.append("between")
        out.append(block)
    return "\n\n".join(out)


documents = st.lists(block(), min_size=1, max_size=6).map(_join)


# Storage as a wiki might hold it: nested elements and macros, known and unknown, in any mix.
TAGS = [
    "p",
    "h2",
    "ul",
    "ol",
    "li",
    "table",
    "tbody",
    "tr",
    "td",
    "th",
    "strong",
    "em",
    "code",
    "span",
    "blockquote",
    "ac:task-list",
    "ac:task",
    "ac:task-body",
    "ac:rich-text-body",
    "ac:link-body",
    "del",
    "sup",
    "sub",
    "a",
    "div",
    "pre",
    "ac:layout-cell",
]
MACROS = ["info", "code", "toc", "status", "expand", "anchor", "jira", "details", "tip"]


@st.composite
def tree(draw: st.DrawFn, depth: int = 0) -> str:
    kind = draw(st.sampled_from(["text", "el", "el", "macro", "void"] if depth < 4 else ["text"]))
    if kind == "text":
        return (
            draw(st.text(alphabet="ab *_#|<>&\u00a0\n-1.[]`~", max_size=8))
            .replace("&", "&amp;")
            .replace("<", "&lt;")
            .replace(">", "&gt;")
        )
    if kind == "void":
        return draw(
            st.sampled_from(
                [
                    "<br/>",
                    "<hr/>",
                    '<ac:image><ri:attachment ri:filename="x.png"/></ac:image>',
                    '<ac:link><ri:page ri:content-title="T"/></ac:link>',
                    '<ac:link ac:anchor="z"><ri:user ri:account-id="1"/></ac:link>',
                    "<ac:task-status>complete</ac:task-status>",
                    '<time datetime="2020-01-01"/>',
                ]
            )
        )
    kids = "".join(draw(st.lists(tree(depth + 1), max_size=4)))
    if kind == "macro":
        name = draw(st.sampled_from(MACROS))
        param = draw(
            st.sampled_from(
                [
                    "",
                    '<ac:parameter ac:name="title">T</ac:parameter>',
                    '<ac:parameter ac:name="">x</ac:parameter>',
                    '<ac:parameter ac:name="language">py</ac:parameter>',
                ]
            )
        )
        body = draw(
            st.sampled_from(
                [
                    f"<ac:rich-text-body>{kids}</ac:rich-text-body>",
                    f"<ac:plain-text-body><![CDATA[{kids}]]></ac:plain-text-body>",
                    "",
                ]
            )
        )
        return f'<ac:structured-macro ac:name="{name}">{param}{body}</ac:structured-macro>'
    tag = draw(st.sampled_from(TAGS))
    attr = draw(
        st.sampled_from(["", ' style="text-align: center"', ' local-id="1"', ' colspan="2"'])
    )
    return f"<{tag}{attr}>{kids}</{tag}>"


storage_bodies = st.lists(tree(), max_size=5).map("".join)
