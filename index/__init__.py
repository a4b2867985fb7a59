"""Headless corpus layer: discovery, decoding, metadata, structure, the Whoosh index and search.

This package never imports textual or rich (a test proves it in a subprocess), so scripts,
benchmarks and tests use it without a terminal.
"""
