"""Claims for the adjudication tests: one patient, one provider, lines built per scenario."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from domain.claims import ClaimLine, CodeKind, Insured, SubmitClaim
from domain.members import AldGrant
from domain.money import Money
from domain.reference import ReferenceData
from domain.reference_rows import ComplementaryCover, Provenance, Validity

CNOPS_MEMBER = Insured("M-PUB", "AMO_PUBLIC")
CNSS_MEMBER = Insured("M-SAL", "AMO_SALARIES", (AldGrant("ALD38", date(2023, 1, 1)),))
DAY = date(2024, 3, 4)
TRASTUZUMAB = "6111000000014"  # synthetic catalog: PPV 15,200 MAD, costly, ALD38
INSULIN = "6111000000069"  # PPV 580 MAD, at most 3 boxes per 30 days
AMOXICILLIN = "6111000000076"  # originator: PPV 35.50, PBR 22.40
AMOXICILLIN_GENERIC = "6111000000083"  # generic: PPV 22.40
PARACETAMOL = "6111000000090"  # not reimbursable


def line(kind: CodeKind, code: str, billed: str, **changes: Any) -> ClaimLine:
    """A line of the kind, billed in MAD, on DAY unless told."""
    values: dict[str, Any] = {"category": "consultation", "service_date": DAY}
    values.update(changes)
    return ClaimLine(
        sequence=values.pop("sequence", 1),
        kind=kind,
        code=code,
        billed=Money.mad(billed),
        **values,
    )


def consultation(billed: str = "200", code: str = "Cs", **changes: Any) -> ClaimLine:
    """An NGAP consultation line with its feuille de soins."""
    changes.setdefault("documents", frozenset({"feuille-de-soins"}))
    return line(CodeKind.NGAP, code, billed, **changes)


def costly_drug(billed: str = "15000", **changes: Any) -> ClaimLine:
    """A costly-drug line covered by a valid PA, with its documents."""
    changes.setdefault("documents", frozenset({"ordonnance", "vignettes"}))
    changes.setdefault("pa_valid", True)
    return line(CodeKind.DRUG, TRASTUZUMAB, billed, category="costly-drug", **changes)


def claim(*lines: ClaimLine, **changes: Any) -> SubmitClaim:
    """A CNOPS ambulatory claim by a specialist, filed on DAY, unless told."""
    base = SubmitClaim(
        claim_id="CL-1",
        provider_id="P-1",
        provider_category="specialist",
        payer="CNOPS",
        admitted=True,
        insured=CNOPS_MEMBER,
        claim_type="ambulatory",
        lines=lines,
        filed_on=DAY,
    )
    return replace(base, **changes)


def cnss(*lines: ClaimLine, **changes: Any) -> SubmitClaim:
    """The same claim for a CNSS salaried member."""
    changes.setdefault("payer", "CNSS")
    changes.setdefault("insured", CNSS_MEMBER)
    return claim(*lines, **changes)


def pharmacy(*lines: ClaimLine, **changes: Any) -> SubmitClaim:
    """A CNSS costly-drug claim from a pharmacy."""
    changes.setdefault("claim_type", "costly-drug")
    changes.setdefault("provider_category", "pharmacy")
    return cnss(*lines, **changes)


def with_cover(
    ref: ReferenceData,
    ticket: str,
    above: str,
    *,
    category: str = "*",
    start: date = date(2005, 9, 1),
) -> ReferenceData:
    """The dataset with one more complementary cover, RC-TEST's, in force from `start`."""
    cover = ComplementaryCover(
        "RC-TEST", category, "Complémentaire de test", Decimal(ticket), Decimal(above),
        Validity(start), Provenance("test", "U"),
    )  # fmt: skip
    return replace(ref, complementary_covers=(*ref.complementary_covers, cover))
