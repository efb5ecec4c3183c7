"""Identifiers: normalise what the desk typed and check it against its system's format.

Formats are reference data (`refdata/identifier_formats.csv`); messages name the system and
the expected shape, never the value typed (it may be a patient's identifier).
"""

from __future__ import annotations

from datetime import date

from domain.errors import InvalidIdentifier, ReferenceDataError
from domain.members import IdentifierKind, PersonIdentifier
from domain.reference import ReferenceData
from domain.reference_rows import IdentifierFormat


def normalize_identifier(
    kind: IdentifierKind | str, value: str, ref: ReferenceData, day: date
) -> PersonIdentifier:
    """A person identifier with spaces removed (and a CIN upper-cased), checked for shape."""
    system = _person_kind(kind)
    text = clean_identifier(system, value)
    fmt = _format(system.value, ref, day)
    if not ref.index().compiled(fmt.pattern).fullmatch(text):
        raise InvalidIdentifier(_message(fmt))
    return PersonIdentifier(kind=system, value=text)


def validate_pattern(kind: str, value: str, ref: ReferenceData, day: date) -> bool:
    """Whether a value has the shape its system requires (person ids, INPE, RIB, ...)."""
    fmt = _format(kind, ref, day)
    return ref.index().compiled(fmt.pattern).fullmatch(value) is not None


def clean_identifier(kind: IdentifierKind | str, value: str) -> str:
    """The value without whitespace; letters upper-cased for a CIN (cards print both)."""
    text = "".join(value.split())
    return text.upper() if kind == IdentifierKind.CIN else text


def _person_kind(kind: IdentifierKind | str) -> IdentifierKind:
    try:
        return IdentifierKind(kind)
    except ValueError:
        raise InvalidIdentifier("Système d'identifiant inconnu") from None


def _format(kind: str, ref: ReferenceData, day: date) -> IdentifierFormat:
    fmt = ref.identifier_format(kind, day)
    if fmt is None:
        raise ReferenceDataError(f"Aucun format d'identifiant « {kind} » en vigueur le {day}")
    return fmt


def _message(fmt: IdentifierFormat) -> str:
    label = fmt.label or fmt.kind
    return f"{label} invalide (format attendu : {fmt.hint})" if fmt.hint else f"{label} invalide"
