"""The extranet's own words in French (the reference), Arabic and English (one module each:
catalogue_fr, catalogue_ar, catalogue_en, for the shared pages; each area's own in a module of
gateway.portal.words); a key missing in a translation is said in French.

The reasons of an answer keep their labels from fhir_profiles.messages: the API's
OperationOutcomes and the portal's pages say the same thing in the same words.
"""

from __future__ import annotations

import pkgutil
from importlib import import_module
from types import ModuleType
from typing import Final

from gateway.portal import catalogue_ar, catalogue_en, catalogue_fr, words

LANGUAGES: Final = ("fr", "ar", "en")
DEFAULT: Final = "fr"
RTL: Final = frozenset({"ar"})
LOCALES: Final = {"fr": "fr_MA", "ar": "ar_MA", "en": "en_150"}  # Babel: amounts, dates
NAMES: Final = {"fr": "Français", "ar": "العربية", "en": "English"}


def _areas() -> list[ModuleType]:
    return [
        import_module(f"{words.__name__}.{m.name}") for m in pkgutil.iter_modules(words.__path__)
    ]


AREAS: Final = _areas()
FR: Final = catalogue_fr.WORDS | {k: v for area in AREAS for k, v in area.FR.items()}
CATALOGUES: Final = {
    "fr": FR,
    "ar": catalogue_ar.WORDS | {k: v for area in AREAS for k, v in area.AR.items()},
    "en": catalogue_en.WORDS | {k: v for area in AREAS for k, v in area.EN.items()},
}


def language(value: str | None) -> str:
    """One of ours, French when unknown."""
    return value if value in LANGUAGES else DEFAULT


def named(lang: str, kind: str, code: str, french: str) -> str:
    """A reference code's name (kind: category, payer, scheme) in that language; the
    reference data's French one otherwise (French, or a code added to the data since)."""
    return CATALOGUES[language(lang)].get(f"{kind}.{code}", french)


def text(lang: str, key: str, **values: object) -> str:
    """The sentence in that language (French when it lacks one), values filled in."""
    template = CATALOGUES[language(lang)].get(key) or FR.get(key, key)
    return template.format(**values) if values else template
