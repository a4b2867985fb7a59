"""Widgets of the Textual app, one module each."""
