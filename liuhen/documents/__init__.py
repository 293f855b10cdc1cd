"""执法文书: enforcement documents rendered from records (PDF via WeasyPrint, DOCX via docxtpl).

Every document carries the record's id, version and SM3 digest in its footer and in a QR code, so a
printed copy can be checked against the system (``/documents/check``). Heavy renderers are imported
lazily by the views; import :mod:`liuhen.documents.pdf` or :mod:`liuhen.documents.word` directly.
"""
