"""Where things live: the corpus, its index cache and its annotations.

Rules (printed by `reader --help` and shown in the app):
- From a clone, the default corpus is the repository's `seeds/` and its annotations go to the
  repository's `annotations/`, so they can be versioned with the code.
- Installed elsewhere, the seeds ship as package data (`reader/_seeds`), and annotations of the
  seeds, like those of any other corpus, go to the per-user data folder, keyed by the corpus path:
  never into site-packages and never into the index cache (which is disposable).
- The index lives in the per-user cache folder, keyed by the corpus path.
Every path can be overridden (`--corpus`, `--annotations`, `--index`, or READER_* variables).
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "reader"
_PACKAGE_DIR = Path(__file__).resolve().parent
_REPO_DIR = _PACKAGE_DIR.parent


def repository_root() -> Path | None:
    """The clone this package runs from, if it runs from one (editable install or source tree)."""
    if (_REPO_DIR / "pyproject.toml").is_file() and (_REPO_DIR / "seeds").is_dir():
        return _REPO_DIR
    return None


def default_corpus() -> Path:
    """The bundled seeds: the repository's `seeds/`, else the copy shipped as package data."""
    repo = repository_root()
    if repo is not None:
        return repo / "seeds"
    return _PACKAGE_DIR / "_seeds"


def corpus_key(corpus: Path) -> str:
    """A folder name unique to a corpus path and still readable: `<name>-<hash of abs path>`."""
    resolved = str(Path(corpus).expanduser().resolve())
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(resolved).name)[:40] or "corpus"
    return f"{slug}-{hashlib.sha1(resolved.encode('utf-8')).hexdigest()[:12]}"


def user_data_dir() -> Path:
    return Path(os.environ.get("READER_DATA_DIR") or platformdirs.user_data_dir(APP_NAME))


def user_cache_dir() -> Path:
    return Path(os.environ.get("READER_CACHE_DIR") or platformdirs.user_cache_dir(APP_NAME))


def user_config_dir() -> Path:
    return Path(os.environ.get("READER_CONFIG_DIR") or platformdirs.user_config_dir(APP_NAME))


def default_annotations(corpus: Path) -> Path:
    """The repository's `annotations/` for the repository's seeds; else per-user, per corpus."""
    repo = repository_root()
    corpus = Path(corpus).expanduser().resolve()
    if repo is not None and corpus == (repo / "seeds").resolve():
        return repo / "annotations"
    return user_data_dir() / "annotations" / corpus_key(corpus)


def configured_store() -> str | None:
    """`store = "..."` in config.toml (beside the coder), or None (no file, no key, unreadable:
    the coder's rule reports a config that cannot be read)."""
    import tomllib

    from reader.coders import config_path

    try:
        value = tomllib.loads(config_path().read_text(encoding="utf-8")).get("store")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    return value if isinstance(value, str) and value else None


def default_index(corpus: Path) -> Path:
    return user_cache_dir() / "index" / corpus_key(corpus)


@dataclass(frozen=True)
class Paths:
    """The three folders every command and the app work on. Tests build one from tmp_path."""

    corpus: Path
    annotations: Path
    index: Path
    store: str | None = None
    """A PostgreSQL store's address (reader/store/backends.py), or None: the annotations folder."""

    @classmethod
    def resolve(
        cls,
        corpus: str | Path | None = None,
        annotations: str | Path | None = None,
        index: str | Path | None = None,
        store: str | None = None,
    ) -> "Paths":
        """`store` (`--store`: a PostgreSQL URL or a folder) wins over `annotations`; then
        READER_STORE, READER_ANNOTATIONS, `store = "..."` in config.toml, the default folder."""
        from reader.store.postgres.address import is_postgres

        corpus_path = Path(corpus or os.environ.get("READER_CORPUS") or default_corpus())
        corpus_path = corpus_path.expanduser().resolve()
        if not store and not annotations:
            store = os.environ.get("READER_STORE") or (
                None if os.environ.get("READER_ANNOTATIONS") else configured_store()
            )
        if store and not is_postgres(store):
            annotations, store = store, None
        ann = annotations or os.environ.get("READER_ANNOTATIONS") or default_annotations(corpus_path)
        idx = index or os.environ.get("READER_INDEX") or default_index(corpus_path)
        return cls(corpus_path, Path(ann).expanduser().resolve(), Path(idx).expanduser().resolve(), store or None)

    def open_corpus(self):
        """The corpus, reading PDFs' and other formats' extracted text from beside the index
        (index.formats.cache); raises index.corpus.CorpusError for a bad corpus folder."""
        from index.corpus import Corpus
        from index.formats.cache import EXTRACTED_DIR

        return Corpus(self.corpus, extract_cache=self.index / EXTRACTED_DIR)
