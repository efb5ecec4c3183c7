"""Labels of the reason codes in French, Arabic and English, the answers' wording in each, and
Accept-Language parsing.

French labels are the reference ones, held by the domain (`domain.reasons`); the Arabic and
English ones translate them in `reason_words`.
"""

from __future__ import annotations

from typing import Final

from domain.reasons import ALL_REASONS
from fhir_profiles import wording_ar, wording_en, wording_fr
from fhir_profiles.reason_words import ARABIC, ENGLISH
from fhir_profiles.wording import FRENCH, LANGUAGES, Wording

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "label", "pick_language", "wording"]
DEFAULT_LANGUAGE: Final = FRENCH

_TABLES: Final[dict[str, dict[str, str]]] = {"fr": ALL_REASONS, "ar": ARABIC, "en": ENGLISH}


_WORDINGS: Final[dict[str, Wording]] = {
    "fr": wording_fr.WORDING,
    "ar": wording_ar.WORDING,
    "en": wording_en.WORDING,
}


def wording(lang: str = DEFAULT_LANGUAGE) -> Wording:
    """The answers' sentences in a language (French when the language is not ours)."""
    return _WORDINGS.get(lang, wording_fr.WORDING)


def label(code: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """The label of a reason code in a language (French when the language is not ours)."""
    table = _TABLES.get(lang, ALL_REASONS)
    return table.get(code) or ALL_REASONS.get(code) or code


def pick_language(accept_language: str | None) -> str:
    """The best of fr, ar, en for an Accept-Language header (fr when nothing matches)."""
    best, best_q = DEFAULT_LANGUAGE, 0.0
    for tag, q in _ranges(accept_language or ""):
        lang = _ours(tag)
        # Strictly greater: on a tie the earlier range wins, as the header's order is a hint.
        if lang is not None and q > best_q:
            best, best_q = lang, q
    return best


def _ranges(header: str) -> list[tuple[str, float]]:
    """The language ranges of a header with their weights, weight 0 left out."""
    ranges = []
    for part in header.split(","):
        tag, _, params = part.strip().partition(";")
        q = _weight(params)
        if tag and q > 0:
            ranges.append((tag.strip().lower(), q))
    return ranges


def _weight(params: str) -> float:
    """The q value of a range's parameters (1 when absent, 0 when malformed)."""
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                q = float(value.strip())
            except ValueError:
                return 0.0
            return q if 0.0 <= q <= 1.0 else 0.0
    return 1.0


def _ours(tag: str) -> str | None:
    """Which of our languages a range designates (`*` means our default)."""
    if tag == "*":
        return DEFAULT_LANGUAGE
    primary = tag.split("-")[0]
    return primary if primary in LANGUAGES else None
