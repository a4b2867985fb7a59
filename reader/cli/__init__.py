"""The `reader` command line, one module per group of commands (no logic here).

`reader.cli:main` is the entry point (pyproject.toml) and `from reader.cli import main` the way
tests and `python -m reader` reach it. The modules:

- `root`: the `reader` group (`reader PATH`, the help's epilog), `index`, `search`, `where`, and
  the registration of the command modules below;
- `common`: what every command shares (the path options, failing with an exit status, opening
  the store, the corpus and the index); `output`: printing to a terminal or a pipe, sanitised;
  `indexing`: bringing the index up to date with progress, and repairing it when reading it fails;
- command modules, each exporting COMMANDS: `store` (tag, annotations, tags, meta),
  `export` (export, import), `compare` (compare, similar), `views` (kwic, matrix, cooccur, freq,
  timeline), `agree` (agree, disagreements), `teams` (git-setup, log).
"""

from __future__ import annotations

from reader.cli.root import main

__all__ = ["main"]
