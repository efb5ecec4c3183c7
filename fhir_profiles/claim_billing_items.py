"""Claim.item of a claim (use claim or predetermination) -> `domain.claims.ClaimLine`, and the
items coded in no system of the payer's.

How a line is coded (productOrService), and what the other elements carry:

| line | productOrService system | code | quantity | item.factor |
|---|---|---|---|---|
| drug | GTIN (`https://www.gs1.org/gtin`) | the box's EAN-13 | boxes | - |
| NGAP act | CodeSystem `ngap` | key letter (C, Cs, K, Z, ...) | times done | coefficient (1) |
| NABM lab act | CodeSystem `nabm` | the NABM act code | times | B units (required) |
| flat fee | CodeSystem `flat-fee` | tariff code (CAESAREAN, ...) | 1 | - |
| hospital days | CodeSystem `day-rate` | tariff code (MED-DAY, ICU-DAY, ...) | days | - |

`factor` is R4's multiplier of `unitPrice` (net = quantity x unitPrice x factor), so writing the
coefficient there keeps `unitPrice` the key letter's (or the B's) value. The billed amount is
`net` (else unitPrice x quantity x factor) in MAD. The care category is the item's `category`
in CodeSystem care-category, else: a drug's (costly-drug or pharmacy), consultation for an
NGAP act, laboratory for NABM, maternity for a flat fee, hospitalisation for days.

Per item, an extension of ours wins over what the Claim says for all its lines:
- the PA reference: `item-preauth-ref` (valueString), else the focal insurance's only
  `preAuthRef`;
- the prescription: `item-prescription` (valueReference), else `Claim.prescription`; the
  quantity prescribed: `item-prescribed-quantity` (valuePositiveInt), else what the
  prescription's MedicationRequest allows the line (`fhir_profiles.prescriptions`);
- the ALD/ALC the line is linked to: `item-ald` (valueCodeableConcept, CodeSystem ald), else a
  diagnosis the item points to (`diagnosisSequence`) coded in CodeSystem ald;
- a dispensed generic: `item-generic-dispensed` (valueBoolean);
- the documents sent: the `supportingInfo` the item points to (`informationSequence`), else
  every supportingInfo of the Claim; each coded in CodeSystem claim-document.

A care-category code alone (what a prise en charge asks for) does not say how to price the
line: refused (422) asking for a billing code. Any other system is not refused: the item is
kept apart and answered `code-hors-nomenclature`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Final

from domain.claims import ClaimLine, CodeKind
from domain.errors import InvalidRequest, UnknownCode
from domain.reference import ReferenceData
from fhir_profiles import claim_items, labels, patients, prescriptions, structure, systems
from fhir_profiles.limits import MAX_ENTRIES
from fhir_profiles.prescriptions import Prescription

Json = dict[str, Any]
KIND_OF_SYSTEM: Final[dict[str, CodeKind]] = {
    systems.CS_NGAP: CodeKind.NGAP,
    systems.CS_NABM: CodeKind.NABM,
    systems.CS_FLAT_FEE: CodeKind.FLAT,
    systems.CS_DAY_RATE: CodeKind.DAYS,
}
# The tariff kind (tariffs.csv) a code of each system must be of; NABM acts are priced in B.
TARIFF_KIND: Final[dict[CodeKind, str]] = {
    CodeKind.NGAP: "letter",
    CodeKind.FLAT: "flat",
    CodeKind.DAYS: "day",
}
DEFAULT_CATEGORY: Final[dict[CodeKind, str]] = {
    CodeKind.NGAP: "consultation",
    CodeKind.NABM: "laboratory",
    CodeKind.FLAT: "maternity",
    CodeKind.DAYS: "hospitalisation",
}
MAX_COEFFICIENT: Final = Decimal(10_000)  # far above any NGAP coefficient or NABM B count


@dataclass(frozen=True, slots=True)
class ClaimFacts:
    """What the Claim says for all its lines, that an item may override."""

    day: date  # the date of care of an item that names none
    pa_reference: str | None
    prescription: Prescription | None
    ald: dict[int, str]  # diagnosis sequence -> ALD/ALC code
    documents: dict[int, str]  # supportingInfo sequence -> document code
    ctx: patients.Context  # what references inside the request resolve against


@dataclass(frozen=True, slots=True)
class Billed:
    """The Claim's items: the lines of ours, and the sequences of the foreign ones."""

    lines: tuple[ClaimLine, ...] = ()
    foreign: tuple[int, ...] = ()


def read(claim: Json, facts: ClaimFacts, ref: ReferenceData) -> Billed:
    """Every item of the Claim, in the order written: a line of ours, or a foreign item."""
    known = labels.categories(ref, facts.day)
    lines: list[ClaimLine] = []
    foreign: list[int] = []
    for item, sequence, path in claim_items.items(claim, "ce qui est facturé"):
        line = _line(item, sequence, path, facts, known, ref)
        if line is None:
            foreign.append(sequence)
        else:
            lines.append(line)
    return Billed(tuple(lines), tuple(foreign))


def _line(
    item: Json,
    sequence: int,
    path: str,
    facts: ClaimFacts,
    known: dict[str, str],
    ref: ReferenceData,
) -> ClaimLine | None:
    """The line an item bills, or None when its product is coded in no system of ours."""
    ppath = f"{path}.productOrService"
    product = structure.required_object(item, "productOrService", path)
    for j, coding in enumerate(structure.codings(product, ppath)):
        system, code = coding.get("system"), coding.get("code")
        cpath = f"{ppath}.coding[{j}].code"
        if code is None:
            continue
        if system in systems.GTIN_SYSTEMS:
            box = claim_items.ean13(code, cpath)
            day = claim_items.served(item, path) or facts.day
            care = claim_items.category(item, path, known) or claim_items.drug_category(
                box, ref, day
            )
            return _built(item, sequence, path, CodeKind.DRUG, box, care, facts, ref)
        kind = KIND_OF_SYSTEM.get(str(system))
        if kind is not None:
            _check_code(kind, str(code), ref, cpath)
            care = claim_items.category(item, path, known) or DEFAULT_CATEGORY[kind]
            return _built(item, sequence, path, kind, str(code), care, facts, ref)
        if system == systems.CS_CARE_CATEGORY:
            raise InvalidRequest(
                "Une ligne facturée se code par ce qui la tarifie : EAN-13 (GS1), lettre clé "
                "NGAP, acte NABM, forfait ou journée (CodeSystems ngap, nabm, flat-fee, "
                "day-rate) ; la catégorie de soins va dans item.category",
                expression=cpath,
            )
    return None


def _check_code(kind: CodeKind, code: str, ref: ReferenceData, path: str) -> None:
    """A key letter, flat fee or day rate the tariffs know (any payer, any date)."""
    tariff_kind = TARIFF_KIND.get(kind)
    if tariff_kind is None:  # a NABM act: the B is the tariff, the act list is the payer's
        return
    if not any(t.kind == tariff_kind and t.code == code for t in ref.tariffs):
        raise UnknownCode(
            f"Code « {code[:32]} » inconnu du CodeSystem {kind.value} des tarifs",
            expression=path,
        )


def _built(
    item: Json,
    sequence: int,
    path: str,
    kind: CodeKind,
    code: str,
    care: str,
    facts: ClaimFacts,
    ref: ReferenceData,
) -> ClaimLine:
    """The line with its quantity, coefficient, amount, date and links."""
    count = claim_items.quantity(item, path)
    day = claim_items.served(item, path) or facts.day
    prescription = _prescription(item, path, facts.ctx) or facts.prescription
    prescribed = _extension_positive(item, systems.EXT_PRESCRIBED_QUANTITY, path)
    if prescribed is None and prescription is not None:
        prescribed = prescription.bounds(kind, code, ref, day)
    return ClaimLine(
        sequence=sequence,
        category=care,
        kind=kind,
        code=code,
        billed=claim_items.amount(item, count, path),
        service_date=day,
        quantity=count,
        coefficient=_coefficient(item, kind, path),
        pa_reference=_extension_string(item, systems.EXT_PA_REFERENCE, path) or facts.pa_reference,
        ald_condition=_ald(item, facts, path),
        prescription_id=None if prescription is None else prescription.key,
        prescribed_quantity=prescribed,
        generic_dispensed=_extension_boolean(item, systems.EXT_GENERIC, path),
        documents=_documents(item, facts, path),
    )


def _coefficient(item: Json, kind: CodeKind, path: str) -> Decimal:
    """item.factor: the NGAP coefficient (1 when absent) or the NABM B units (required)."""
    fpath = f"{path}.factor"
    if kind not in (CodeKind.NGAP, CodeKind.NABM):
        return Decimal(1)
    if item.get("factor") is None:
        if kind is CodeKind.NABM:
            raise InvalidRequest(
                "Un acte NABM indique son nombre d'unités B dans item.factor", expression=fpath
            )
        return Decimal(1)
    value = claim_items.decimal(item["factor"], fpath)
    if not Decimal(0) < value <= MAX_COEFFICIENT:
        raise InvalidRequest(
            f"Coefficient « {value} » : un nombre positif d'au plus {MAX_COEFFICIENT} est attendu",
            expression=fpath,
        )
    return value


def _extensions(item: Json, url: str, path: str) -> list[Json]:
    """The item's extensions of one URL."""
    found = structure.objects(item, "extension", path, limit=MAX_ENTRIES)
    return [e for e in found if e.get("url") == url]


def _extension_string(item: Json, url: str, path: str) -> str | None:
    """The valueString of the item's extension of that URL, if any."""
    for ext in _extensions(item, url, path):
        return structure.as_string(ext.get("valueString"), f"{path}.extension.valueString")
    return None


def _extension_boolean(item: Json, url: str, path: str) -> bool:
    """The valueBoolean of the item's extension of that URL (False when absent)."""
    for ext in _extensions(item, url, path):
        value = ext.get("valueBoolean")
        if not isinstance(value, bool):
            raise structure.invalid("Un booléen est attendu", f"{path}.extension.valueBoolean")
        return value
    return False


def _extension_positive(item: Json, url: str, path: str) -> int | None:
    """The valuePositiveInt of the item's extension of that URL, if any."""
    for ext in _extensions(item, url, path):
        value = ext.get("valuePositiveInt")
        if isinstance(value, bool) or not isinstance(value, int):
            raise structure.invalid(
                "Un entier positif est attendu", f"{path}.extension.valuePositiveInt"
            )
        if not 1 <= value <= claim_items.MAX_QUANTITY:
            raise InvalidRequest(
                f"Quantité prescrite « {value} » : un nombre entier de 1 à "
                f"{claim_items.MAX_QUANTITY} est attendu",
                code="quantite-invalide",
                expression=f"{path}.extension.valuePositiveInt",
            )
        return value
    return None


def _prescription(item: Json, path: str, ctx: patients.Context) -> Prescription | None:
    """The prescription the item extension points to."""
    for ext in _extensions(item, systems.EXT_PRESCRIPTION, path):
        return prescriptions.read(
            ext.get("valueReference"), f"{path}.extension.valueReference", ctx
        )
    return None


def _ald(item: Json, facts: ClaimFacts, path: str) -> str | None:
    """The ALD/ALC of the item extension, else of the first diagnosis it points to."""
    for ext in _extensions(item, systems.EXT_ALD, path):
        concept = structure.as_object(ext.get("valueCodeableConcept"), f"{path}.extension")
        return structure.code_in(concept, systems.CS_ALD, f"{path}.extension")
    for sequence in structure.array(item, "diagnosisSequence", path, limit=MAX_ENTRIES):
        if sequence in facts.ald:
            return facts.ald[sequence]
    return None


def _documents(item: Json, facts: ClaimFacts, path: str) -> frozenset[str]:
    """The documents the item points to, else all the Claim's."""
    pointed = structure.array(item, "informationSequence", path, limit=MAX_ENTRIES)
    if not pointed:
        return frozenset(facts.documents.values())
    return frozenset(facts.documents[s] for s in pointed if s in facts.documents)


def reference_key(value: Any, path: str) -> str | None:
    """What a Reference names: its identifier's value, else its literal reference."""
    ref = structure.reference(value, path)
    identifier = ref.get("identifier")
    if isinstance(identifier, dict) and isinstance(identifier.get("value"), str):
        return str(identifier["value"])
    literal = ref.get("reference")
    return literal if isinstance(literal, str) else None
