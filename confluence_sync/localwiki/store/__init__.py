"""The local wiki's data and Confluence's rules for it.

``database`` is the SQLite store; the ``*_rules`` modules decide what Confluence would accept
(titles, versions, labels, properties, attachments) and raise its refusals; ``cql`` evaluates
searches; ``storage_format`` checks and rewrites page bodies on save; ``data_version`` is the
number every write moves on, which the store's caches follow.
"""
