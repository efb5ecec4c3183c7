"""The getting-started page's own words (its prose is in the template, in French and English)."""

from __future__ import annotations

from typing import Final

FR: Final[dict[str, str]] = {
    "developers": "Documentation de l'API",
    "developers.codes": "Codes d'erreur et de motif",
    "developers.code": "Code",
    "developers.meaning": "Signification",
}
AR: Final[dict[str, str]] = {
    "developers": "توثيق واجهة البرمجة",
    "developers.codes": "رموز الأخطاء والأسباب",
    "developers.code": "الرمز",
    "developers.meaning": "المعنى",
}
EN: Final[dict[str, str]] = {
    "developers": "API documentation",
    "developers.codes": "Error and reason codes",
    "developers.code": "Code",
    "developers.meaning": "Meaning",
}
