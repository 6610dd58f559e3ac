"""Which code-macro language id Confluence understands for a Markdown info-string language.

The code macro shows an error box for a language id it does not know, so we only ever emit ids
from the set that both Data Center and Cloud highlight (the SyntaxHighlighter brushes). Names
outside that set (go, rust, kotlin, …) get no ``language`` parameter and render as plain code.
A few near relatives are mapped on purpose because the highlighting is still right: JSON is
highlighted as JavaScript, C as C++, HTML/SVG as XML, shell sessions as Bash.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

_ALIASES: Final = MappingProxyType(
    {
        "actionscript": "actionscript3",
        "actionscript3": "actionscript3",
        "as3": "actionscript3",
        "applescript": "applescript",
        "bash": "bash",
        "sh": "bash",
        "shell": "bash",
        "zsh": "bash",
        "console": "bash",
        "shell-session": "bash",
        "shellsession": "bash",
        "csharp": "csharp",
        "c#": "csharp",
        "cs": "csharp",
        "cpp": "cpp",
        "c++": "cpp",
        "cxx": "cpp",
        "c": "cpp",
        "h": "cpp",
        "css": "css",
        "coldfusion": "coldfusion",
        "cfm": "coldfusion",
        "delphi": "delphi",
        "pascal": "delphi",
        "diff": "diff",
        "patch": "diff",
        "udiff": "diff",
        "erlang": "erlang",
        "erl": "erlang",
        "groovy": "groovy",
        "gradle": "groovy",
        "xml": "xml",
        "html": "xml",
        "xhtml": "xml",
        "svg": "xml",
        "xsl": "xml",
        "xslt": "xml",
        "java": "java",
        "javafx": "javafx",
        "jfx": "javafx",
        "javascript": "javascript",
        "js": "javascript",
        "jsx": "javascript",
        "mjs": "javascript",
        "node": "javascript",
        "json": "javascript",
        "jsonc": "javascript",
        "json5": "javascript",
        "perl": "perl",
        "pl": "perl",
        "php": "php",
        "powershell": "powershell",
        "ps": "powershell",
        "ps1": "powershell",
        "pwsh": "powershell",
        "python": "python",
        "python3": "python",
        "python2": "python",
        "py": "python",
        "py3": "python",
        "pycon": "python",
        "ruby": "ruby",
        "rb": "ruby",
        "sass": "sass",
        "scss": "sass",
        "scala": "scala",
        "sql": "sql",
        "mysql": "sql",
        "postgresql": "sql",
        "postgres": "sql",
        "psql": "sql",
        "plsql": "sql",
        "sqlite": "sql",
        "vb": "vb",
        "vbnet": "vb",
        "vb.net": "vb",
        "text": "text",
        "txt": "text",
        "plain": "text",
        "plaintext": "text",
        "yaml": "yaml",
        "yml": "yaml",
    }
)


def confluence_language(name: str | None) -> str | None:
    """The Confluence id for a Markdown language name, or None when it has none."""
    if not name:
        return None
    return _ALIASES.get(name.strip().lower())
