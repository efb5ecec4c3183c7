"""Claim with use = claim or predetermination (bare, or in a collection, document or message
Bundle) -> what FHIR carries of a `domain.claims.SubmitClaim`, and the command once the use
case supplies the rest.

Read here (the header as for a prise en charge, `fhir_profiles.claim_header`; the lines as
`fhir_profiles.claim_billing_items` says):

- the claim's business identifier: `identifier[0].value`, else the Claim's own `id`; one of
  them is required (exactly once rests on it);
- the use: `claim` (to be paid) or `predetermination` (what would be paid, asked at the
  counter); a `preauthorization` is the prior-authorization exchange's, refused here with
  `usage-non-pris-en-charge`;
- the claim this one corrects: `related[].claim`, by identifier, else by reference;
- the kind of claim the filing windows and documents depend on: `institutional` is a
  facility claim, a pharmacy claim holding a costly drug a costly-drug claim, anything else
  ambulatory;
- the PA reference the lines default to: the focal insurance's `preAuthRef`, when it holds
  only one (several: each line names its own in the `item-preauth-ref` extension);
- ALD links: `diagnosis[].diagnosisCodeableConcept` coded in CodeSystem ald; documents:
  `supportingInfo[].code` in CodeSystem claim-document;
- the patient's complementary organisation: an `insurance` entry beside the focal one
  (`fhir_profiles.claim_complementary`); the prescriptions and the quantities they allow, from
  `Claim.prescription` and the items (`fhir_profiles.prescriptions`).

Not in FHIR, supplied by the use case (`ClaimContext`): the provider's id, category and
admission, the payer, the insured's scheme and ALD grants, and whether each line's PA is valid.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Final

import orjson

from domain.claims import ClaimLine, ClaimUse, Insured, StoredClaim, SubmitClaim
from domain.errors import InvalidRequest
from domain.members import PersonIdentifier
from domain.reference import ReferenceData
from fhir_profiles import (
    claim_billing_items,
    claim_complementary,
    claim_header,
    claim_items,
    envelope,
    prescriptions,
    structure,
    systems,
)
from fhir_profiles.bundle import Resources
from fhir_profiles.claim_billing_items import ClaimFacts
from fhir_profiles.envelope import MessageFacts
from fhir_profiles.limits import MAX_ENTRIES

Json = dict[str, Any]
REQUEST: Final = claim_header.REQUEST
USES: Final = frozenset({ClaimUse.CLAIM.value, ClaimUse.PREDETERMINATION.value})
REFUSAL: Final = (
    "ce point d'accès traite les demandes de remboursement (use = claim) et les estimations "
    "(use = predetermination) ; une prise en charge préalable se demande avec use = "
    "preauthorization"
)
FACILITY: Final = "facility"
COSTLY_DRUG: Final = "costly-drug"
AMBULATORY: Final = "ambulatory"


@dataclass(frozen=True, slots=True)
class ClaimIn:
    """What a Claim carries of the command, and what the stored Claim and answer echo."""

    claim_id: str
    use: ClaimUse
    claim_type: str
    lines: tuple[ClaimLine, ...]
    foreign: tuple[int, ...]  # sequences of the items coded in no system of ours
    persons: tuple[PersonIdentifier, ...]
    related_claim: str | None
    filed_on: date
    complementary: str | None  # the organisation named ("": one of no system of ours)
    resource: Json  # the Claim as received
    patient: Json
    insurer: Json | None
    envelope: str = "resource"
    message: MessageFacts | None = None
    ref: ReferenceData | None = field(default=None, compare=False, repr=False)

    @property
    def pa_references(self) -> frozenset[str]:
        """The PA references the lines cite, for the use case to look up."""
        return frozenset(line.pa_reference for line in self.lines if line.pa_reference)


@dataclass(frozen=True, slots=True)
class ClaimContext:
    """What the command needs that the Claim does not carry."""

    provider_id: str
    provider_category: str
    payer: str
    admitted: bool
    insured: Insured
    pa_valid: frozenset[int] = frozenset()  # sequences whose PA is granted, valid, with room


def to_domain(body: Json, *, ref: ReferenceData, today: date) -> ClaimIn:
    """Check a claim and read what it carries; only domain errors come out."""
    return claim_header.guarded(lambda: _to_domain(body, ref, today))


def command(parsed: ClaimIn, ctx: ClaimContext) -> SubmitClaim:
    """The domain command, given the facts the use case found."""
    lines = tuple(replace(line, pa_valid=line.sequence in ctx.pa_valid) for line in parsed.lines)
    return SubmitClaim(
        claim_id=parsed.claim_id,
        provider_id=ctx.provider_id,
        provider_category=ctx.provider_category,
        payer=ctx.payer,
        admitted=ctx.admitted,
        insured=ctx.insured,
        claim_type=parsed.claim_type,
        lines=lines,
        filed_on=parsed.filed_on,
        use=parsed.use,
        related_claim=parsed.related_claim,
        complementary=parsed.complementary,
    )


def _to_domain(body: Json, ref: ReferenceData, today: date) -> ClaimIn:
    """Find the Claim in its envelope, then map it."""
    found = envelope.read(body, REQUEST)
    parsed = _claim(found.request, found.resources, ref, today)
    return replace(parsed, envelope=found.kind, message=found.message)


def _claim(claim: Json, resources: Resources, ref: ReferenceData, today: date) -> ClaimIn:
    """Map one Claim, checking each element it reads."""
    use = ClaimUse(claim_header.check_shape(claim, USES, REFUSAL))
    day = claim_items.date_of_care(claim, today)
    found = claim_header.parties(claim, resources, ref, day)
    prescription = prescriptions.read(
        claim.get("prescription"), f"{REQUEST}.prescription", found.ctx
    )
    facts = ClaimFacts(
        day=day,
        pa_reference=_pa_reference(claim),
        prescription=prescription,
        ald=_coded(claim, "diagnosis", "diagnosisCodeableConcept", systems.CS_ALD),
        documents=_coded(claim, "supportingInfo", "code", systems.CS_CLAIM_DOCUMENT),
        ctx=found.ctx,
    )
    billed = claim_billing_items.read(claim, facts, ref)
    return ClaimIn(
        claim_id=_claim_id(claim),
        use=use,
        claim_type=_claim_type(claim, billed.lines),
        lines=billed.lines,
        foreign=billed.foreign,
        persons=found.persons,
        related_claim=_related(claim),
        filed_on=today,
        complementary=claim_complementary.organisation(claim, found.ctx),
        resource=claim,
        patient=found.patient,
        insurer=found.insurer,
        ref=ref,
    )


def business_id(claim: Json) -> str:
    """The business identifier of a Claim as stored (see claim_billing_form)."""
    return _claim_id(claim)


def stored(request_body: bytes) -> StoredClaim:
    """domain.authorization_ports.StoredClaimReader: a claim as stored (read when it was
    billed, so well-formed): its business identifier, every prise en charge it cites (the
    insurances' preAuthRef and the items' own), and the claim it corrects."""
    claim = orjson.loads(request_body)
    cited = {
        ref
        for insurance in claim.get("insurance", [])
        for ref in insurance.get("preAuthRef", [])
        if isinstance(ref, str)
    }
    for item in claim.get("item", []):
        for ext in item.get("extension", []):
            if ext.get("url") == systems.EXT_PA_REFERENCE and isinstance(
                ext.get("valueString"), str
            ):
                cited.add(ext["valueString"])
    return StoredClaim(_claim_id(claim), frozenset(cited), _related(claim))


def _claim_id(claim: Json) -> str:
    """The provider's business identifier, else the Claim's id."""
    for value in structure.array(claim, "identifier", REQUEST):
        if isinstance(value.get("value"), str):
            return str(value["value"])
    if isinstance(claim.get("id"), str):
        return structure.resource_id(claim["id"], f"{REQUEST}.id")
    raise InvalidRequest(
        "La demande porte l'identifiant que le prestataire lui donne (Claim.identifier) : "
        "c'est lui qui garantit qu'elle n'est payée qu'une fois",
        expression=f"{REQUEST}.identifier",
    )


def _claim_type(claim: Json, lines: tuple[ClaimLine, ...]) -> str:
    """facility, costly-drug or ambulatory, from the claim type and the lines."""
    kind = structure.code_in(claim["type"], systems.HL7_CLAIM_TYPE, f"{REQUEST}.type")
    if kind == "institutional":
        return FACILITY
    if kind == "pharmacy" and any(line.category == COSTLY_DRUG for line in lines):
        return COSTLY_DRUG
    return AMBULATORY


def _pa_reference(claim: Json) -> str | None:
    """The only preAuthRef of the focal insurance (else of the first), if it has one."""
    insurances = structure.objects(claim, "insurance", REQUEST, limit=MAX_ENTRIES)
    focal = next((i for i in insurances if i.get("focal") is True), insurances[0])
    path = f"{REQUEST}.insurance[{insurances.index(focal)}].preAuthRef"
    refs = [
        structure.as_string(v, path)
        for v in structure.array(focal, "preAuthRef", path, limit=MAX_ENTRIES)
    ]
    if len(refs) > 1:
        raise InvalidRequest(
            "Plusieurs références de prise en charge : indiquez celle de chaque ligne dans "
            f"l'extension {systems.EXT_PA_REFERENCE}",
            expression=path,
        )
    return refs[0] if refs else None


def _related(claim: Json) -> str | None:
    """The claim this one corrects: the first related claim, by identifier or reference."""
    for i, related in enumerate(structure.objects(claim, "related", REQUEST, limit=MAX_ENTRIES)):
        path = f"{REQUEST}.related[{i}].claim"
        if related.get("claim") is not None:
            return claim_billing_items.reference_key(related["claim"], path)
    return None


def _coded(claim: Json, name: str, element: str, system: str) -> dict[int, str]:
    """sequence -> code, for the entries of `name` whose `element` is coded in `system`."""
    found: dict[int, str] = {}
    for i, entry in enumerate(structure.objects(claim, name, REQUEST, limit=MAX_ENTRIES)):
        path = f"{REQUEST}.{name}[{i}]"
        concept = structure.optional_object(entry, element, path)
        code = structure.code_in(concept, system, f"{path}.{element}")
        if code is not None and isinstance(entry.get("sequence"), int):
            found[entry["sequence"]] = code
    return found
