"""Structural checks of incoming JSON: types, cardinalities and required elements.

Hand-written because they sit on the hot path: validating a typical CoverageEligibilityRequest
with the fhir.resources model costs 200 to 390 µs (about 820 µs for a request Bundle), while
the whole `eligibility_in.to_domain` mapping, these checks included, takes about 60 µs (95 µs
for the Bundle). They cover the elements the mappings read; every failure is an
InvalidRequest with a French detail and the FHIRPath of the element at fault.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Final

from domain.errors import MalformedRequest, TooLarge
from fhir_profiles import bindings

Json = dict[str, Any]

# Regular expressions of the R4 primitive types (http://hl7.org/fhir/R4/datatypes.html).
_DATE: Final = re.compile(r"([0-9]{4})(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?")
_DATE_TIME: Final = re.compile(
    r"([0-9]{4})(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01])"
    r"(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?"
    r"(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00)))?)?)?"
)
_ID: Final = re.compile(r"[A-Za-z0-9\-.]{1,64}")


def invalid(detail: str, expression: str) -> MalformedRequest:
    """The error for a resource that is not well-formed at an element."""
    return MalformedRequest(detail, code="ressource-invalide", expression=expression)


def as_object(value: Any, path: str) -> Json:
    """The value as a JSON object, or an error naming the element."""
    if not isinstance(value, dict):
        raise invalid("Un objet JSON est attendu pour cet élément", path)
    return value


def as_string(value: Any, path: str) -> str:
    """The value as a FHIR string: a non-blank JSON string."""
    if not isinstance(value, str) or not value.strip():
        raise invalid("Une chaîne de caractères non vide est attendue", path)
    return value


def optional_object(parent: Json, name: str, path: str) -> Json | None:
    """A 0..1 complex element, None when absent."""
    value = parent.get(name)
    return None if value is None else as_object(value, f"{path}.{name}")


def required_object(parent: Json, name: str, path: str) -> Json:
    """A 1..1 complex element."""
    value = optional_object(parent, name, path)
    if value is None:
        raise invalid(f"L'élément « {name} » est obligatoire", f"{path}.{name}")
    return value


def optional_string(parent: Json, name: str, path: str) -> str | None:
    """A 0..1 string-like primitive, None when absent."""
    value = parent.get(name)
    return None if value is None else as_string(value, f"{path}.{name}")


def required_string(parent: Json, name: str, path: str) -> str:
    """A 1..1 string-like primitive."""
    value = optional_string(parent, name, path)
    if value is None:
        raise invalid(f"L'élément « {name} » est obligatoire", f"{path}.{name}")
    return value


def array(parent: Json, name: str, path: str, *, limit: int | None = None) -> list[Any]:
    """A 0..* element: [] when absent; FHIR JSON never carries an empty array. Past `limit`
    repetitions the request is refused before any is read (TooLarge)."""
    value = parent.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not value:
        raise invalid("Un tableau JSON non vide est attendu", f"{path}.{name}")
    if limit is not None and len(value) > limit:
        raise TooLarge(
            f"Au plus {limit} éléments « {name} » par requête ({len(value)} reçus) : "
            "scindez la demande",
            expression=f"{path}.{name}",
        )
    return value


def objects(parent: Json, name: str, path: str, *, limit: int | None = None) -> list[Json]:
    """A 0..* complex element, each item checked to be an object (at most `limit`)."""
    values = array(parent, name, path, limit=limit)
    return [as_object(v, f"{path}.{name}[{i}]") for i, v in enumerate(values)]


def full_date(value: str, path: str) -> date:
    """A FHIR date that names one day (a year or a month alone does not)."""
    if not _DATE.fullmatch(value) or len(value) != 10:
        raise invalid("Une date complète AAAA-MM-JJ est attendue", path)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise invalid("Cette date n'existe pas", path) from None


def date_time(value: str, path: str) -> str:
    """A FHIR dateTime, returned as written."""
    if not _DATE_TIME.fullmatch(value):
        raise invalid("Une date ou date-heure FHIR est attendue (AAAA-MM-JJThh:mm:ss+zz:zz)", path)
    return value


def resource_id(value: Any, path: str) -> str:
    """A FHIR id: 1 to 64 letters, digits, '-' and '.'."""
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise invalid("Identifiant logique FHIR invalide", path)
    return value


def identifier(value: Any, path: str) -> Json:
    """An Identifier: system and value are strings, use is in its value set."""
    ident = as_object(value, path)
    optional_string(ident, "system", path)
    optional_string(ident, "value", path)
    use = optional_string(ident, "use", path)
    if use is not None:
        bindings.check(use, bindings.IDENTIFIER_USE, f"{path}.use")
    return ident


def reference(value: Any, path: str) -> Json:
    """A Reference: a literal reference, a logical identifier or a display, well typed."""
    ref = as_object(value, path)
    optional_string(ref, "reference", path)
    optional_string(ref, "type", path)
    optional_string(ref, "display", path)
    if ref.get("identifier") is not None:
        identifier(ref["identifier"], f"{path}.identifier")
    return ref


def codings(concept: Json, path: str) -> list[Json]:
    """The codings of a CodeableConcept, each with string system and code."""
    found = objects(concept, "coding", path)
    for i, coding in enumerate(found):
        optional_string(coding, "system", f"{path}.coding[{i}]")
        optional_string(coding, "code", f"{path}.coding[{i}]")
    return found


def code_in(concept: Json | None, system: str, path: str) -> str | None:
    """The code of the first coding of a system in a CodeableConcept, if any."""
    if concept is None:
        return None
    for i, coding in enumerate(codings(concept, path)):
        if coding.get("system") == system:
            return required_string(coding, "code", f"{path}.coding[{i}]")
    return None


def only_known(resource: Json, known: frozenset[str], path: str) -> None:
    """Reject elements the resource type does not define (`_x` primitives extensions allowed)."""
    for name in resource:
        if not isinstance(name, str) or name.removeprefix("_") not in known:
            raise invalid(f"Élément inconnu « {str(name)[:64]} »", f"{path}.{name}")
    if "modifierExtension" in resource:
        raise invalid("Extension modificatrice non prise en charge", f"{path}.modifierExtension")
