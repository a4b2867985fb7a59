"""Import annotations from a REFI-QDA project (`.qdpx`/`.qde`) or W3C Web Annotation JSON-LD.

`import_file(path, store, corpus, on_conflict=None) -> ImportReport`. No Textual here.

The modules, one job each: `parsed` (what a file holds), `qde` (REFI-QDA projects), `refi`
(their identity and one-selection-per-code merging), `w3c` (W3C JSON-LD), `matching` (sources
to corpus documents, annotations placed in their text), `report`, `importing` (`parse_file`,
`import_file`). This package's init only re-exports the names other code imports.

Matching a file's sources to corpus documents, by content first:
1. `sha256`: the shipped source's bytes hash like a corpus file's bytes.
2. `text`: the same text once both have LF line endings, no BOM and NFC (whitespace kept).
3. `similar`: a corpus document of about the same length whose text is at least 95% similar
   (rapidfuzz ratio on whitespace-collapsed text).
4. `name`: the document id our exports record (`reader document: <id>` in a TextSource's
   Description, `urn:reader:doc:<id>` in W3C), or a source named like a document (id, file
   name or stem).
5. W3C only (no text shipped): the one corpus document containing the quote with its context.
Sources that match nothing are listed in the report, with their annotation count.

Placing: REFI-QDA positions count code points of the source text with CRLF (and CR) counted
as one character (what ATLAS.ti does, and what our LF-only shipped texts give). When the corpus
text equals the source text (1, 2) positions are mapped exactly onto the corpus file's text
(re-inserting its CRs). Otherwise (3, 4, 5) and for W3C, each annotation is re-anchored with
`reader.anchoring.anchor` from its position and quote (exact, else the quote elsewhere, else
fuzzy); what cannot be placed is reported, never guessed.

Existing annotations (re-anchored in the current text) decide what is new:
- same document, span and tags (and the same note, or none imported): a duplicate, skipped,
  so importing an export of this store changes nothing;
- same span with other tags or another note: a conflict. With `on_conflict=None` nothing at
  all is written and the conflicts are reported (the CLI asks); `'skip'` imports the rest,
  `'add'` imports conflicting ones too, as extra annotations.
New codes become codebook tags with their colour and description (a tag that exists keeps
its own; a tag our export marks as not in the codebook, such as an implicit parent, is not
added); then every new annotation is added with one `add_many` (one undo step). Each keeps the
id, creator and times the file gives, and selections of one span that another tool wrote one per
code are merged (`reader.importer.refi`); what the file lacks the store fills in (a new id, the
importing user, now), and an id already in the store gets a new one.
"""

from __future__ import annotations

from reader.importer.importing import import_file, parse_file
from reader.importer.parsed import ImportFileError, OnConflict, ParsedFile
from reader.importer.report import Conflict, ImportReport, SourceMatch

__all__ = [
    "Conflict",
    "ImportFileError",
    "ImportReport",
    "OnConflict",
    "ParsedFile",
    "SourceMatch",
    "import_file",
    "parse_file",
]
