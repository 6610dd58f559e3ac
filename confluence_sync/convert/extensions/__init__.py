"""The converter's extensions: one module per construct family, each defining one ``EXTENSION``.

Each imports the core (``convert/`` outside this package) and nothing here; ``convert/parser.py``
lists them in the order their syntax plugins are applied. Modules without an ``EXTENSION``
(``blocksyntax``, ``inlinesyntax``, ``emoji``, ``generic_blocks``, ``htmlemit``) are the parser
plugins and helpers of the family whose docstring names them.
"""
