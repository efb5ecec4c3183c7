"""Foreign care categories mapped to ours, and the ConceptMap that publishes the mapping.

CoverageEligibilityRequest.item.category is bound with *example* strength in R4, so clients
send the codes of their own world: HL7 ex-benefitcategory, X12 service types, NPHIES, SNOMED
CT, openIMIS. The mapping is reference data held in one file, `definitions/
care-category-map.json`, read once here: `target()` serves the request mapping (`items`) and
`concept_map()` publishes the same rows as the R4 ConceptMap `care-category`.

A row maps one source code to one care category; to `*`, the whole plan (HL7 and X12 `30`
Health Benefit Plan Coverage), answered with the plan's general benefits and published as one
`specializes` target per care category; or to nothing (`null`: a known code without an AMO
counterpart, published as `unmatched`). A code that maps nowhere is answered with the plan's
general benefits and a warning, never refused (`eligibility_out`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

from domain.reference import ReferenceData
from fhir_profiles import labels, publication, systems

Json = dict[str, Any]
PLAN: Final = "*"  # the target that stands for every care category of the plan
MAP_FILE: Final = Path(__file__).parent / "definitions" / "care-category-map.json"
CONCEPT_MAP_ID: Final = "care-category"
# http://hl7.org/fhir/R4/valueset-concept-map-equivalence.html
EQUIVALENCES: Final = frozenset(
    {"relatedto", "equivalent", "equal", "wider", "subsumes", "narrower", "specializes",
     "inexact", "unmatched", "disjoint"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Row:
    """One source code and the care category it maps to (PLAN, or None for none)."""

    code: str
    display: str
    target: str | None
    equivalence: str
    comment: str | None


@dataclass(frozen=True, slots=True)
class Group:
    """The rows of one source code system, and where its codes come from."""

    system: str
    source: str
    rows: tuple[Row, ...]


@cache
def groups() -> tuple[Group, ...]:
    """The groups of the mapping file, read and checked once."""
    data = json.loads(MAP_FILE.read_text(encoding="utf-8"))
    return tuple(_group(g) for g in data["groups"])


def target(system: Any, code: Any) -> str | None:
    """The care category (or PLAN) a foreign coding maps to; None when it maps to none."""
    return _targets().get((system, code))


def concept_map(ref: ReferenceData) -> Json:
    """The R4 ConceptMap of every mapped system, targets among the care categories of `ref`."""
    known = labels.categories(ref)
    url = f"{systems.BASE}/ConceptMap/{CONCEPT_MAP_ID}"
    title = "Catégories de prestations des autres référentiels vers les catégories de soins AMO"
    cm = publication.header("ConceptMap", CONCEPT_MAP_ID, url, "CareCategoryMap", title)
    cm["description"] = _description()
    cm["targetCanonical"] = f"{systems.BASE}/ValueSet/care-category"
    cm["group"] = [_published(g, known) for g in groups()]
    return cm


@cache
def _targets() -> dict[tuple[str, str], str | None]:
    return {(g.system, r.code): r.target for g in groups() for r in g.rows}


def _group(data: Json) -> Group:
    rows = tuple(_row(r) for r in data["elements"])
    return Group(str(data["system"]), str(data["source"]), rows)


def _row(data: Json) -> Row:
    target = data.get("target")
    equivalence = data.get("equivalence", "equivalent")
    if target is None or target == PLAN:
        equivalence = "unmatched" if target is None else "specializes"
    if equivalence not in EQUIVALENCES:
        raise ValueError(f"{MAP_FILE.name}: equivalence {equivalence!r} is not an R4 one")
    comment = data.get("comment")
    if comment is None and equivalence in ("narrower", "inexact", "unmatched"):
        raise ValueError(f"{MAP_FILE.name}: {data['code']!r} needs a comment (R4 cmd-1)")
    return Row(str(data["code"]), str(data["display"]), target, equivalence, comment)


def _description() -> str:
    """What the map is for, and where each system's codes come from."""
    sources = "\n".join(f"- `{g.system}` : {g.source}" for g in groups())
    return (
        "Catégories de prestations que les clients FHIR envoient dans "
        "CoverageEligibilityRequest.item.category, rapprochées des catégories de soins AMO. "
        "Une catégorie sans correspondance reçoit les prestations générales du régime et un "
        f"avertissement.\n\n{sources}"
    )


def _published(group: Group, known: dict[str, str]) -> Json:
    """One group of the ConceptMap: every row, PLAN spelled out as every category."""
    elements = [
        {"code": r.code, "display": r.display, "target": _targets_of(r, known)} for r in group.rows
    ]
    return {"source": group.system, "target": systems.CS_CARE_CATEGORY, "element": elements}


def _targets_of(row: Row, known: dict[str, str]) -> list[Json]:
    """The ConceptMap targets of a row (a category not in the data is unmatched)."""
    if row.target == PLAN:
        codes = list(known)
    else:
        codes = [row.target] if row.target is not None and row.target in known else []
    if not codes:
        comment = row.comment or f"Catégorie « {row.target} » absente du référentiel"
        return [{"equivalence": "unmatched", "comment": comment}]
    found = []
    for code in codes:
        target = {"code": code, "display": known[code], "equivalence": row.equivalence}
        if row.comment:
            target["comment"] = row.comment
        found.append(target)
    return found
