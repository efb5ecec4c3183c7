"""PaymentReconciliation and PaymentNotice from other parties (HL7 examples, NHCX, NPHIES
messages) -> domain: read, or refused with a stable code and the reason in French.

The body is a resource, or a Bundle (message or collection) holding exactly one of them. It
must be valid R4 as a whole (checked with the R4B models, which match R4 for these types);
amounts must be in dirhams to the centime.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final

from pydantic import ValidationError

from domain.errors import DomainError, InvalidRequest, MalformedRequest
from domain.money import Money
from domain.payment_reports import ReportedDetail, ReportedNotice, ReportedReconciliation
from fhir_profiles import claim_items, r4

Json = dict[str, Any]
RECONCILIATION: Final = "PaymentReconciliation"
NOTICE: Final = "PaymentNotice"
READ: Final = frozenset({RECONCILIATION, NOTICE})


def to_domain(body: Json) -> ReportedReconciliation | ReportedNotice:
    """Read a third party's payment resource; only domain errors come out."""
    resource = _payment_resource(body)
    _check_r4(body)
    kind = str(resource["resourceType"])
    if kind == RECONCILIATION:
        return _reconciliation(resource)
    return _notice(resource)


def _payment_resource(body: Json) -> Json:
    kind = body.get("resourceType")
    if kind in READ:
        return body
    if kind != "Bundle":
        raise MalformedRequest(
            f"Attendu : PaymentReconciliation ou PaymentNotice (reçu : {str(kind)[:64]})",
            code="type-ressource-invalide",
            expression="resourceType",
        )
    listed = body.get("entry")
    entries: list[Any] = listed if isinstance(listed, list) else []
    found = [
        e["resource"]
        for e in entries
        if isinstance(e, dict)
        and isinstance(e.get("resource"), dict)
        and e["resource"].get("resourceType") in READ
    ]
    if len(found) != 1:
        raise MalformedRequest(
            "Le Bundle doit porter une seule PaymentReconciliation ou PaymentNotice "
            f"({len(found)} trouvées)",
            code="enveloppe-invalide",
            expression="Bundle.entry",
        )
    resource: Json = found[0]
    return resource


def _check_r4(body: Json) -> None:
    try:
        r4.parse(body)
    except ValidationError as exc:
        where = _fhir_path(exc.errors()[0]["loc"])[:200]
        raise MalformedRequest(
            f"Ressource non conforme à FHIR R4 : {where.lstrip('.')}",
            expression=f"{body.get('resourceType')}{where}",
        ) from None
    except (LookupError, ValueError, TypeError) as exc:
        raise MalformedRequest(f"Ressource non conforme à FHIR R4 : {str(exc)[:200]}") from None


def _fhir_path(location: tuple[int | str, ...]) -> str:
    """pydantic's location of an error as a FHIRPath tail (".entry[1].resource.x")."""
    parts = (f"[{p}]" if isinstance(p, int) else f".{p}" for p in location if p != "root")
    return "".join(parts)


def _reconciliation(resource: Json) -> ReportedReconciliation:
    path = RECONCILIATION
    details = resource.get("detail") or []
    return ReportedReconciliation(
        id=resource.get("id"),
        status=str(resource["status"]),
        payment_date=date.fromisoformat(str(resource["paymentDate"])),
        amount=_amount(resource.get("paymentAmount"), f"{path}.paymentAmount"),
        outcome=resource.get("outcome"),
        payment_identifier=_identifier(resource.get("paymentIdentifier")),
        disposition=resource.get("disposition"),
        details=tuple(_detail(d, f"{path}.detail[{i}]") for i, d in enumerate(details)),
    )


def _detail(detail: Json, path: str) -> ReportedDetail:
    return ReportedDetail(
        amount=_amount(detail.get("amount"), f"{path}.amount"),
        request=_target(detail.get("request")),
        response=_target(detail.get("response")),
    )


def _notice(resource: Json) -> ReportedNotice:
    paid_on = resource.get("paymentDate")
    return ReportedNotice(
        id=resource.get("id"),
        status=str(resource["status"]),
        amount=_amount(resource.get("amount"), f"{NOTICE}.amount"),
        payment=_target(resource["payment"]) or "",
        payment_date=None if paid_on is None else date.fromisoformat(str(paid_on)),
        payment_status=_status_code(resource.get("paymentStatus")),
        request=_target(resource.get("request")),
        response=_target(resource.get("response")),
    )


def _amount(value: Any, path: str) -> Money:
    """A Money in MAD, to the centime; absent, foreign or fractional amounts are refused."""
    if not isinstance(value, dict) or value.get("value") is None:
        raise InvalidRequest(
            "Montant du paiement absent", code="montant-invalide", expression=f"{path}.value"
        )
    if value.get("currency") is None:
        raise InvalidRequest(
            "Devise du montant absente : les montants s'expriment en dirhams (MAD)",
            code="devise-non-prise-en-charge",
            expression=f"{path}.currency",
        )
    try:
        return claim_items.money(value, path)
    except DomainError:
        raise
    except (ArithmeticError, ValueError) as exc:
        raise InvalidRequest(
            "Montant illisible", code="montant-invalide", expression=f"{path}.value"
        ) from exc


def _target(reference: Any) -> str | None:
    """What a Reference points to, as written: its reference, else its identifier."""
    if not isinstance(reference, dict):
        return None
    if isinstance(reference.get("reference"), str):
        return str(reference["reference"])
    return _identifier(reference.get("identifier"))


def _identifier(identifier: Any) -> str | None:
    if not isinstance(identifier, dict) or identifier.get("value") is None:
        return None
    system = identifier.get("system")
    return f"{system}|{identifier['value']}" if system else str(identifier["value"])


def _status_code(concept: Any) -> str | None:
    if not isinstance(concept, dict):
        return None
    codes = [c.get("code") for c in concept.get("coding") or [] if isinstance(c, dict)]
    return next((str(code) for code in codes if code), None)
