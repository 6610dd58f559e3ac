"""Programs that turn diagram source into images (Mermaid's ``mmdc``, PlantUML).

Kept outside ``convert/``, which is pure: rendering runs processes and writes files. The
converter (and MkDocs's HTML path) asks for an image by source; this package answers with a file
named after the source and the renderer's version, from a cache when it was drawn before.
"""
