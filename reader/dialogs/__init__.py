"""The app's modal dialogs, each built on `reader.dialogs.base.ModalDialog`.

prompts (a line of text; a choice among answers), tag (tags and a note for a passage), coder
(who you code as), export, importing (annotations from a file), pickers (a document; a similar
passage). They return what was chosen (None when cancelled) and, but for export and import,
write nothing themselves.
"""
