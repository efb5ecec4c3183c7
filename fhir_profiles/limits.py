"""What one request may carry: past these, it is refused (413) before any of it is decided.

Each bounds the time one request holds the event loop, so that one provider's request cannot
slow every other provider's. The 62 third-party FHIR financial examples the tests read carry
at most 15 items, 9 Bundle entries and 2 identifiers per resource.
"""

from __future__ import annotations

from typing import Final

# A prescription or an admission asks about tens of acts; 100 items decide in a few ms.
MAX_ITEMS: Final = 100
# A request, its Patient, Coverage, Organization, Practitioner...: 100 is ten times more.
MAX_ENTRIES: Final = 100
# IDCS, CIN, an immatriculation, an affiliation: 20 identifiers are more than a person has.
MAX_IDENTIFIERS: Final = 20
# A provider's answer to a request for information: a report, a prescription, results, an
# imaging report and an estimate are five documents; more go in a further answer. With the
# size limit of each (Settings.max_attachment_bytes), this bounds one answer's body.
MAX_ATTACHMENTS: Final = 5
# Texts and documents of one answer together: the documents, and as many short notes.
MAX_PAYLOADS: Final = 2 * MAX_ATTACHMENTS
# A note in an answer: a few pages of text at most; a longer report is attached as a PDF.
MAX_TEXT_CHARS: Final = 10_000
