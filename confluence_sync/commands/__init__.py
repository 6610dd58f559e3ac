"""The use cases, as plain functions: ``sync`` (and ``plan``), ``diff``, ``incident new``.

Each one validates its input before it connects, builds the desired state with
:mod:`.desired`, reads the wiki's state with :mod:`.state`, and leaves writing to
``publish.apply``. The CLI only parses options and prints what these return.
"""
