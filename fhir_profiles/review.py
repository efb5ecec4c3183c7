"""The payer's and the provider's actions on a prise en charge, in FHIR.

- `$decide` (a reviewer): a Parameters resource with `decision` (grant | partial | refuse),
  `reason` (a code of our reason CodeSystem), optional `validUntil`, and for a partial grant
  one `item` per line granted (`sequence`, `quantity`, `amount`).
- `$request-information` (a reviewer): Parameters with `reason` and an optional `note`.
- `Task` (a provider), with the financial task codes of FHIR R4: `cancel` and `status`, its
  `focus` the Claim; answered with the Task completed (or rejected) and its output.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from domain.errors import InvalidRequest, MalformedRequest
from domain.money import Money
from domain.prior_auth import PriorAuthorization
from domain.services.prior_auth import ReviewDecision, ReviewVerdict
from fhir_profiles import structure, systems
from fhir_profiles.limits import MAX_ITEMS

Json = dict[str, Any]
PARAMETERS: Final = "Parameters"
FINANCIAL_TASK: Final = "http://hl7.org/fhir/financialtaskcode"
TASK_CODES: Final = ("cancel", "status")
_TASK_ELEMENTS: Final = frozenset(
    {
        "resourceType", "id", "meta", "implicitRules", "language", "text", "contained",
        "extension", "modifierExtension", "identifier", "status", "intent", "priority", "code",
        "focus", "for", "authoredOn", "lastModified", "requester", "owner", "reasonCode",
        "note", "input", "businessStatus", "description",
    }
)  # fmt: skip


def decision(body: Json) -> ReviewDecision:
    """A reviewer's decision read from its Parameters."""
    params = _parameters(body)
    verdict = _code(params, "decision")
    if verdict not in {v.value for v in ReviewVerdict}:
        raise InvalidRequest(
            "decision attend grant, partial ou refuse",
            code="parametre-invalide",
            expression="Parameters.parameter.where(name='decision')",
        )
    until = _single(params, "validUntil")
    lines = tuple(_line(part, i) for i, part in enumerate(params.get("item", [])))
    return ReviewDecision(
        verdict=ReviewVerdict(verdict),
        reason=_code(params, "reason"),
        lines=lines,
        valid_until=None
        if until is None
        else structure.full_date(
            structure.as_string(until.get("valueDate"), "validUntil.valueDate"),
            "Parameters.parameter.where(name='validUntil').valueDate",
        ),
    )


def information_request(body: Json) -> tuple[str, str]:
    """The reason code and the note of a reviewer's request for information."""
    params = _parameters(body)
    note = _single(params, "note")
    text = "" if note is None else structure.as_string(note.get("valueString"), "note")
    return _code(params, "reason"), text  # its length is the use case's to judge


def task_request(body: Json) -> tuple[str, str]:
    """(code, Claim id) of a provider's Task: cancel or status of its prise en charge."""
    task = structure.as_object(body, "Task")
    if task.get("resourceType") != "Task":
        raise MalformedRequest("Ressource attendue : Task", code="type-ressource-invalide")
    structure.only_known(task, _TASK_ELEMENTS, "Task")
    status = structure.required_string(task, "status", "Task")
    if status != "requested":
        raise InvalidRequest("Une Task soumise a le statut « requested »", expression="Task.status")
    code_concept = structure.required_object(task, "code", "Task")
    code = structure.code_in(code_concept, FINANCIAL_TASK, "Task.code")
    if code not in TASK_CODES:
        raise InvalidRequest(
            f"Task.code attend {FINANCIAL_TASK} : cancel ou status",
            code="code-inconnu",
            expression="Task.code",
        )
    focus = structure.reference(task.get("focus"), "Task.focus")
    target = focus.get("reference")
    if not isinstance(target, str) or not target.startswith("Claim/"):
        raise InvalidRequest(
            "Task.focus désigne la Claim de la demande : Claim/[id]", expression="Task.focus"
        )
    return code, structure.resource_id(target.removeprefix("Claim/"), "Task.focus.reference")


def task_answer(
    body: Json,
    *,
    task_id: str,
    claim_id: str,
    response_id: str,
    state: str,
    at: datetime,
    done: bool,
    note: str,
) -> Json:
    """The Task as carried out (completed) or refused (rejected), with the state it left
    and the ClaimResponse as output."""
    code = structure.code_in(body["code"], FINANCIAL_TASK, "Task.code")
    answer: Json = {
        "resourceType": "Task",
        "id": task_id,
        "status": "completed" if done else "rejected",
        "intent": "order",
        "code": {"coding": [{"system": FINANCIAL_TASK, "code": code}]},
        "focus": {"reference": f"Claim/{claim_id}"},
        "authoredOn": at.isoformat(),
        "lastModified": at.isoformat(),
        "businessStatus": {"text": note},
        "output": [
            {
                "type": {"text": "ClaimResponse"},
                "valueReference": {"reference": f"ClaimResponse/{response_id}"},
            },
            {
                "type": {"text": "statut"},
                "valueCode": state,
            },
        ],
    }
    if "identifier" in body:
        answer["identifier"] = body["identifier"]
    return answer


def _parameters(body: Json) -> dict[str, list[Json]]:
    if body.get("resourceType") != PARAMETERS:
        raise MalformedRequest("Ressource attendue : Parameters", code="type-ressource-invalide")
    found: dict[str, list[Json]] = {}
    for i, param in enumerate(
        structure.objects(body, "parameter", PARAMETERS, limit=MAX_ITEMS + 10)
    ):
        name = structure.required_string(param, "name", f"Parameters.parameter[{i}]")
        found.setdefault(name, []).append(param)
    return found


def _single(params: dict[str, list[Json]], name: str) -> Json | None:
    values = params.get(name, [])
    if len(values) > 1:
        raise structure.invalid(
            f"Le paramètre {name} ne peut être répété", f"Parameters.parameter.where(name='{name}')"
        )
    return values[0] if values else None


def _code(params: dict[str, list[Json]], name: str) -> str:
    path = f"Parameters.parameter.where(name='{name}')"
    param = _single(params, name)
    if param is None:
        raise InvalidRequest(f"Le paramètre {name} est obligatoire", expression=path)
    if "valueCoding" in param:
        coding = structure.as_object(param["valueCoding"], f"{path}.valueCoding")
        if name == "reason" and coding.get("system") not in (None, systems.CS_REASON):
            raise InvalidRequest(
                f"Le motif vient du CodeSystem {systems.CS_REASON}",
                code="motif-inconnu",
                expression=f"{path}.valueCoding.system",
            )
        return structure.required_string(coding, "code", f"{path}.valueCoding")
    return structure.as_string(param.get("valueCode"), f"{path}.valueCode")


def _line(part_param: Json, i: int) -> tuple[int, int, Money]:
    path = f"Parameters.parameter.where(name='item')[{i}]"
    parts = {
        structure.required_string(p, "name", f"{path}.part"): p
        for p in structure.objects(part_param, "part", path, limit=10)
    }
    sequence = _integer(parts.get("sequence"), "valuePositiveInt", f"{path}.sequence", 1)
    quantity = _integer(parts.get("quantity"), "valueUnsignedInt", f"{path}.quantity", 0)
    money = structure.as_object(
        (parts.get("amount") or {}).get("valueMoney"), f"{path}.amount.valueMoney"
    )
    if money.get("currency") != "MAD":
        raise InvalidRequest("Montants en dirhams (MAD)", expression=f"{path}.amount.currency")
    try:
        amount = Money.mad(Decimal(str(money.get("value"))))
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise InvalidRequest(
            "Montant invalide (dirhams, deux décimales au plus)", expression=f"{path}.amount"
        ) from exc
    return sequence, quantity, amount


def _integer(param: Json | None, key: str, path: str, low: int) -> int:
    value = None if param is None else param.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= 1_000_000:
        raise InvalidRequest(f"Entier attendu (≥ {low})", expression=f"{path}.{key}")
    return value


def validity_text(pa: PriorAuthorization) -> str:
    """The validity of a grant, in French, for notes."""
    if pa.valid_from is None or pa.valid_until is None:
        return ""
    return f"valable du {_fr(pa.valid_from)} au {_fr(pa.valid_until)}"


def _fr(day: date) -> str:
    return day.strftime("%d/%m/%Y")
