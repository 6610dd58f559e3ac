"""Decide, don't act: compare what the repo wants with what the wiki has."""
