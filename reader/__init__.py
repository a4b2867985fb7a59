"""reader: a keyboard-driven terminal reader and annotator for text corpora."""

__version__ = "0.1.0"
