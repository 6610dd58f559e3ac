"""confluence-sync: keep a Confluence space in step with a Markdown guide and a postmortem
template."""

__version__ = "0.1.0"
