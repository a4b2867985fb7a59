"""Coding together offline through git: a merge driver for the store's files, its setup, the log.

Headless (no Textual, no rich): `reader/cli/teams.py` is its command-line front end.
"""
