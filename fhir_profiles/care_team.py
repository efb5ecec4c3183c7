"""The prescriber's specialty, from a Claim's care team.

The specialty is a code of our CodeSystem specialty, written where clients put it:

- on the care team member itself, `Claim.careTeam.qualification`;
- on the PractitionerRole the member's provider points to, `PractitionerRole.specialty` (Da
  Vinci PAS, NHCX), or on that role's Practitioner;
- on the Practitioner the member's provider points to, `Practitioner.qualification.code`.

References resolve inside the request only: a contained resource or a Bundle entry. The
members whose role is `primary` are read first, then the others in order; the first specialty
of ours found is the prescriber's. A Claim that names none leaves it unknown: the rules then
queue a drug whose catalog entry restricts its prescribers (`specialite-non-autorisee`).
"""

from __future__ import annotations

from typing import Any, Final

from domain.errors import UnknownCode
from fhir_profiles import labels, patients, structure, systems
from fhir_profiles.limits import MAX_ENTRIES, MAX_IDENTIFIERS

Json = dict[str, Any]
REQUEST: Final = "Claim"
HL7_CARE_TEAM_ROLE: Final = "http://terminology.hl7.org/CodeSystem/claimcareteamrole"
Found = tuple[str, str]  # (code, FHIRPath where it was written)


def specialty(claim: Json, ctx: patients.Context) -> str | None:
    """The prescriber's specialty (a code of ours in force), None when the Claim names none."""
    members = structure.objects(claim, "careTeam", REQUEST, limit=MAX_ENTRIES)
    ordered = sorted(enumerate(members), key=lambda m: not _primary(m[1], m[0]))
    for i, member in ordered:
        found = _of_member(member, f"{REQUEST}.careTeam[{i}]", ctx)
        if found is not None:
            code, path = found
            if code not in labels.specialties(ctx.ref):
                raise UnknownCode(f"Spécialité inconnue : « {code[:64]} »", expression=path)
            return code
    return None


def _primary(member: Json, i: int) -> bool:
    """Whether a member's role is primary."""
    role = structure.optional_object(member, "role", f"{REQUEST}.careTeam[{i}]")
    return structure.code_in(role, HL7_CARE_TEAM_ROLE, f"{REQUEST}.careTeam[{i}].role") == (
        "primary"
    )


def _of_member(member: Json, path: str, ctx: patients.Context) -> Found | None:
    """A member's specialty: its qualification, else its provider's."""
    found = _coded(
        structure.optional_object(member, "qualification", path), f"{path}.qualification"
    )
    if found is not None:
        return found
    ref = structure.reference(
        structure.required_object(member, "provider", path), f"{path}.provider"
    )
    target = ctx.resources.resolve(ref, ctx.contained)
    return None if target is None else _of_resource(target, f"{path}.provider.resolve()", ctx)


def _of_resource(target: Json, path: str, ctx: patients.Context) -> Found | None:
    """The specialty a PractitionerRole or Practitioner carries."""
    kind = target.get("resourceType")
    if kind == "Practitioner":
        return _of_practitioner(target, path)
    if kind != "PractitionerRole":
        return None  # an Organization: no one's specialty
    for j, concept in enumerate(
        structure.objects(target, "specialty", path, limit=MAX_IDENTIFIERS)
    ):
        found = _coded(concept, f"{path}.specialty[{j}]")
        if found is not None:
            return found
    practitioner = structure.optional_object(target, "practitioner", path)
    if practitioner is None:
        return None
    ppath = f"{path}.practitioner"
    resolved = patients.resolved(
        structure.reference(practitioner, ppath), "Practitioner", ppath, ctx
    )
    return None if resolved is None else _of_practitioner(resolved, f"{ppath}.resolve()")


def _of_practitioner(practitioner: Json, path: str) -> Found | None:
    """The first of a Practitioner's qualifications coded in our system."""
    qualifications = structure.objects(practitioner, "qualification", path, limit=MAX_IDENTIFIERS)
    for j, qualification in enumerate(qualifications):
        qpath = f"{path}.qualification[{j}]"
        found = _coded(structure.optional_object(qualification, "code", qpath), f"{qpath}.code")
        if found is not None:
            return found
    return None


def _coded(concept: Json | None, path: str) -> Found | None:
    """The code of our specialty system in a CodeableConcept, with where it stands."""
    code = structure.code_in(concept, systems.CS_SPECIALTY, path)
    return None if code is None else (code, path)
