"""Adjudication on the edges: payer-specific rows, rate situations, the ALD choice, the
answer's own fields."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from domain.claims import (
    ClaimHistory,
    ClaimUse,
    CodeKind,
    Insured,
    LineResult,
    LineStatus,
    PastLine,
)
from domain.members import AldGrant
from domain.money import Money
from domain.reference import ReferenceData
from domain.reference_rows import (
    ClaimDocument,
    FilingWindow,
    PaymentTerm,
    Provenance,
    Tariff,
    Validity,
)
from domain.rules.adjudication import adjudicate, situation
from domain.working_days import WORKING_DAYS, WorkingCalendar
from tests.unit.domain.claim_builders import (
    AMOXICILLIN,
    DAY,
    INSULIN,
    claim,
    cnss,
    consultation,
    line,
)

NONE = ClaimHistory()
MAD = Money.mad
SINCE = Validity(date(2015, 1, 1))
SOURCE = Provenance("essai", "U")
FRAME = Tariff("*", "*", "frame", "flat", 60000, "Monture", SINCE, SOURCE)
CHAIR = Tariff("*", "*", "CHAIR", "flat", 100000, "Fauteuil", SINCE, SOURCE)
FEUILLE = frozenset({"feuille-de-soins"})


def one(cmd, ref, history=NONE) -> LineResult:  # type: ignore[no-untyped-def]
    return adjudicate(cmd, history, ref).lines[0]


class TestAnswer:
    def test_a_rejected_line_says_everything(self, ref: ReferenceData) -> None:
        result = one(claim(consultation("200", sequence=7), admitted=False), ref)
        zero = Money(0)
        assert result == LineResult(
            7,
            LineStatus.REJECTED,
            MAD(200),
            zero,
            zero,
            zero,
            MAD(200),
            zero,
            Decimal(0),
            False,
            ("prestataire-non-admis",),
            (),
            ref.version,
        )

    def test_every_refusal_names_the_dataset(self, ref: ReferenceData) -> None:
        for cmd in (
            claim(consultation(category="not-a-category")),
            claim(consultation(code="XYZ")),
        ):
            assert one(cmd, ref).reference_version == ref.version

    def test_the_answer_names_claim_use_and_dataset(self, ref: ReferenceData) -> None:
        cmd = claim(consultation(sequence=3), use=ClaimUse.PREDETERMINATION, claim_id="CL-9")
        answer = adjudicate(cmd, NONE, ref)
        assert (answer.claim_id, answer.use, answer.reference_version) == (
            "CL-9",
            ClaimUse.PREDETERMINATION,
            ref.version,
        )
        assert answer.lines[0].sequence == 3

    def test_a_payer_without_payment_term_gives_no_date(self, ref: ReferenceData) -> None:
        answer = adjudicate(claim(consultation()), NONE, replace(ref, payment_terms=()))
        assert answer.payment_date is None

    def test_a_working_day_term_skips_the_weekend_and_holidays(self, ref: ReferenceData) -> None:
        """Filed Wednesday 29 July 2026, 2 working days: Throne Day (Thursday 30) and the
        weekend are not counted, so the claim is due on Monday 3 August."""
        term = PaymentTerm("CNSS", "*", 2, WORKING_DAYS, SINCE, SOURCE)
        calendar = WorkingCalendar(holidays=frozenset({date(2026, 7, 30)}))
        data = replace(ref, payment_terms=(term,), calendar=calendar)
        service = consultation(service_date=date(2026, 7, 29))
        answer = adjudicate(cnss(service, filed_on=date(2026, 7, 29)), NONE, data)
        assert answer.payment_date == date(2026, 8, 3)


class TestPayerRows:
    def test_a_payers_own_filing_window_wins(self, ref: ReferenceData) -> None:
        window = FilingWindow("CNSS", "ambulatory", 30, "day", SINCE, SOURCE)
        data = replace(ref, filing_windows=(*ref.filing_windows, window))
        cmd = cnss(consultation(service_date=date(2024, 2, 1)), filed_on=date(2024, 3, 4))
        assert one(cmd, data).reasons == ("depot-hors-delai",)

    def test_a_payers_own_document_is_required(self, ref: ReferenceData) -> None:
        extra = ClaimDocument("CNSS", "ambulatory", "bon", "Bon de prise en charge", SINCE, SOURCE)
        data = replace(ref, claim_documents=(*ref.claim_documents, extra))
        result = one(cnss(consultation("250")), data)
        assert (result.status, result.missing_documents) == (LineStatus.INCOMPLETE, ("bon",))

    def test_a_schemes_pa_rule_on_one_code(self, ref: ReferenceData) -> None:
        """prior_auth.csv: AMO_SALARIES, laboratory B1200 needs an accord préalable."""
        lab = line(CodeKind.NABM, "B1200", "132", category="laboratory", coefficient=Decimal(120))
        assert one(cnss(lab), ref).reasons == ("accord-prealable-requis",)

    def test_a_cap_on_one_code_counts_the_claims_earlier_lines(self, ref: ReferenceData) -> None:
        """Optics frame cap 400 per 24 months (caps.csv [U]); CNSS optics 80 % [U]: the first
        frame's 480 is capped at 400, the second gets nothing."""
        data = replace(ref, tariffs=(*ref.tariffs, FRAME))
        frames = [
            line(CodeKind.FLAT, "frame", "600", category="optics", sequence=n, documents=FEUILLE)
            for n in (1, 2)
        ]
        answer = adjudicate(cnss(*frames, provider_category="optician"), NONE, data)
        assert [r.benefit for r in answer.lines] == [MAD(400), MAD(0)]


class TestRateChoice:
    def test_a_public_hospital_consultation(self, ref: ReferenceData) -> None:
        """CNSS 90 % in public hospitals (decree 2-05-737 [C]); C 150 (CNSS 2020)."""
        cmd = cnss(consultation("150", code="C"), provider_category="public-hospital")
        assert one(cmd, ref).rate == Decimal("0.90")

    def test_no_situation_asks_for_the_default(self) -> None:
        assert situation(claim(consultation()), consultation()) is None

    def test_an_ald_rate_equal_to_the_ordinary_one_still_exempts(self, ref: ReferenceData) -> None:
        """CNSS devices 100 % (2020 [U]) and ald 100 %: the line is recorded as exempt."""
        data = replace(ref, tariffs=(*ref.tariffs, CHAIR))
        chair = line(
            CodeKind.FLAT,
            "CHAIR",
            "1000",
            category="device",
            pa_valid=True,
            ald_condition="ALD38",
            documents=FEUILLE,
        )
        result = one(cnss(chair), data)
        assert (result.ald_exempt, result.reasons) == (True, ("exoneration-ald",))

    def test_an_ald_paying_less_leaves_the_ordinary_rate(self, ref: ReferenceData) -> None:
        """ALD17 98 % (ald_rates.csv [P]) under devices 100 %: the ordinary rate, no reason."""
        data = replace(ref, tariffs=(*ref.tariffs, CHAIR))
        insured = Insured("M-SAL", "AMO_SALARIES", (AldGrant("ALD17", date(2020, 1, 1)),))
        chair = line(
            CodeKind.FLAT,
            "CHAIR",
            "1000",
            category="device",
            pa_valid=True,
            ald_condition="ALD17",
            documents=FEUILLE,
        )
        result = one(cnss(chair, insured=insured), data)
        assert (result.rate, result.ald_exempt, result.reasons) == (Decimal(1), False, ())

    def test_an_ald_drug_is_paid_on_the_ald_rows_base(self, ref: ReferenceData) -> None:
        """CNSS pharmacy ald row: 100 % of the PPV (rates.csv [U]), not the PBR."""
        drug = line(
            CodeKind.DRUG,
            AMOXICILLIN,
            "35.50",
            category="pharmacy",
            ald_condition="ALD38",
            documents=FEUILLE,
        )
        result = one(cnss(drug, provider_category="pharmacy"), ref)
        assert (result.eligible, result.benefit) == (MAD("35.50"), MAD("35.50"))


class TestFactors:
    def test_a_quantity_of_acts_multiplies_the_letter(self, ref: ReferenceData) -> None:
        """Two Cs at CNOPS: 2 x 150 = 300 at 80 %: 240."""
        cmd = claim(consultation("300", quantity=2))
        assert one(cmd, ref).benefit == MAD(240)

    def test_a_flat_fee_ignores_the_coefficient(self, ref: ReferenceData) -> None:
        data = replace(ref, tariffs=(*ref.tariffs, CHAIR))
        chair = line(
            CodeKind.FLAT,
            "CHAIR",
            "2000",
            category="device",
            pa_valid=True,
            coefficient=Decimal(2),
            documents=FEUILLE,
        )
        assert one(cnss(chair), data).eligible == MAD(1000)

    def test_only_a_drug_line_is_checked_for_refills(self, ref: ReferenceData) -> None:
        past = PastLine("CL-0", "P-2", "M-SAL", INSULIN, DAY, 3, None)
        act = consultation("250", code=INSULIN)
        result = one(cnss(act), ref, ClaimHistory((past,)))
        assert result.reasons == ("tarif-introuvable",)
