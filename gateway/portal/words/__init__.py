"""The extranet's words page by page: each module of this package holds one area's sentences
as three dicts, FR (the reference), AR and EN, and the catalogue merges them with its own.
A key belongs to one module only, its translations beside it (tests/unit/gateway/
test_portal_words.py checks both)."""
