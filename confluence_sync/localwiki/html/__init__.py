"""The local wiki's browser view: URL routing, page layout, and storage format rendered as HTML
(with one handler per macro)."""
