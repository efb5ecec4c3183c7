"""The patient's complementary cover (RC), as a Claim names it beside the AMO.

R4 lists in `Claim.insurance` every coverage that may pay for the claim, in the order they pay
(`sequence`), and marks with `focal` the one the claim is adjudicated against: here the AMO
(the first entry when none is marked). Any other entry is a complementary cover, as Da Vinci
PAS, NPHIES and HL7's own examples write a second coverage: an entry with `focal` false whose
`coverage` references a Coverage. Its organisation is known by our identifier system
`https://fhir.tiers-payant.ma/sid/complementary`, whose values are the codes of
complementary.csv (MGPAP, OMFAM, MGEN, MODEP, PTT, DOUANES, POLICE, MFA):

- on a Coverage the entry references inside the request (contained, or a Bundle entry): a
  `payor` whose identifier is in that system, or that points to an Organization carrying one;
- on the reference itself, for a client that sends no Coverage resource:
  `coverage.identifier.assigner.identifier` in that system (the member's number at the
  organisation in `coverage.identifier.value`, in whatever system it uses), or
  `coverage.identifier` itself in that system.

The first entry after the AMO's (by sequence) that names an organisation this way is the
patient's complementary; when other entries name none of ours, the claim names one we cannot
identify (""): its lines are paid without complementary share and say so. Whether the code is
one of ours on the date of care is the adjudication's to say, line by line.
"""

from __future__ import annotations

from typing import Any, Final

from fhir_profiles import patients, structure, systems
from fhir_profiles.limits import MAX_ENTRIES, MAX_IDENTIFIERS

Json = dict[str, Any]
REQUEST: Final = "Claim"
UNIDENTIFIED: Final = ""  # a complementary cover named in no system of ours


def organisation(claim: Json, ctx: patients.Context) -> str | None:
    """The code of the complementary organisation the Claim names, "" for a cover it names in
    no system of ours, None when it names only the AMO."""
    insurances = structure.objects(claim, "insurance", REQUEST, limit=MAX_ENTRIES)
    amo = next((i for i in insurances if i.get("focal") is True), insurances[0])
    others = [(i, entry) for i, entry in enumerate(insurances) if entry is not amo]
    others.sort(key=lambda found: _order(found[1], found[0]))
    for i, entry in others:
        code = _named(entry, f"{REQUEST}.insurance[{i}]", ctx)
        if code is not None:
            return code
    return UNIDENTIFIED if others else None


def _order(entry: Json, position: int) -> tuple[int, int]:
    """An entry's place among the coverages: its sequence, then where it is written."""
    sequence = entry.get("sequence")
    return (sequence if isinstance(sequence, int) else position, position)


def _named(entry: Json, path: str, ctx: patients.Context) -> str | None:
    """The organisation code a coverage entry names, if it names one of ours."""
    cpath = f"{path}.coverage"
    written = structure.reference(structure.required_object(entry, "coverage", path), cpath)
    coverage = patients.resolved(written, "Coverage", cpath, ctx)
    if coverage is not None:
        rpath = f"{cpath}.resolve()"
        for j, payor in enumerate(structure.objects(coverage, "payor", rpath, limit=MAX_ENTRIES)):
            code = _payor(payor, f"{rpath}.payor[{j}]", ctx)
            if code is not None:
                return code
        return None
    identifier = written.get("identifier")
    if identifier is None:
        return None
    ipath = f"{cpath}.identifier"
    code = _ours(identifier, ipath)
    assigner = structure.optional_object(identifier, "assigner", ipath)
    if code is None and assigner is not None:
        apath = f"{ipath}.assigner"
        code = _payor(structure.reference(assigner, apath), apath, ctx)
    return code


def _payor(value: Any, path: str, ctx: patients.Context) -> str | None:
    """The code an Organization reference names: its identifier, or its Organization's."""
    written = structure.reference(value, path)
    if written.get("identifier") is not None:
        code = _ours(written["identifier"], f"{path}.identifier")
        if code is not None:
            return code
    org = patients.resolved(written, "Organization", path, ctx)
    if org is None:
        return None
    opath = f"{path}.resolve()"
    for k, ident in enumerate(structure.array(org, "identifier", opath, limit=MAX_IDENTIFIERS)):
        code = _ours(ident, f"{opath}.identifier[{k}]")
        if code is not None:
            return code
    return None


def _ours(value: Any, path: str) -> str | None:
    """The value of an identifier of our complementary system, stripped; None otherwise."""
    ident = structure.identifier(value, path)
    if ident.get("system") != systems.COMPLEMENTARY:
        return None
    code = ident.get("value")
    if not isinstance(code, str) or not code.strip():
        raise structure.invalid(
            "Identifiant d'organisme complémentaire sans valeur", f"{path}.value"
        )
    return code.strip()
