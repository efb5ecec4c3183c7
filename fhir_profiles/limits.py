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
