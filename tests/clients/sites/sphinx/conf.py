"""A small Sphinx project published with sphinxcontrib-confluencebuilder's ``confluence``
builder; the target comes from the environment so the test can point it at a local wiki."""

import os

project = "Client Sphinx"
extensions = ["sphinxcontrib.confluencebuilder"]
confluence_publish = True
confluence_server_url = os.environ["WIKI_URL"]
confluence_space_key = "DEV"
confluence_server_user = os.environ["WIKI_USER"]
confluence_api_token = os.environ["WIKI_TOKEN"]
confluence_api_mode = os.environ.get("WIKI_API_MODE", "v1")
confluence_page_hierarchy = True
confluence_parent_page = "DEV Home"
confluence_ask_password = False
