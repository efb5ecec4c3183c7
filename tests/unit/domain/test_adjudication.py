"""Adjudication worked examples: each with the source of its figures (DOMAIN.md, refdata)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from domain.claims import (
    ClaimHistory,
    ClaimUse,
    CodeKind,
    Insured,
    LineStatus,
    PastBenefit,
)
from domain.members import AldGrant
from domain.money import Money
from domain.reference import ReferenceData
from domain.reference_rows import Provenance, Tariff, Validity
from domain.rules.adjudication import adjudicate
from tests.unit.domain.claim_builders import (
    AMOXICILLIN,
    AMOXICILLIN_GENERIC,
    DAY,
    PARACETAMOL,
    claim,
    cnss,
    consultation,
    costly_drug,
    line,
    pharmacy,
    with_cover,
)

NONE = ClaimHistory()
MAD = Money.mad


def one(cmd, ref, history=NONE):  # type: ignore[no-untyped-def]
    """The answer for the claim's single line."""
    return adjudicate(cmd, history, ref).lines[0]


def amounts(result) -> tuple[Money, Money, Money]:  # type: ignore[no-untyped-def]
    return result.benefit, result.complementary, result.patient


class TestWorkedExamples:
    def test_cnops_specialist_billed_above_tariff(self, ref: ReferenceData) -> None:
        """Issue 10 / DOMAIN.md: Cs 150 (2006 TNR [C]), CNOPS ambulatory 80 % (decree
        2-05-736 [C]); billed 200: RO 120.00, patient 80.00 (50.00 above tariff)."""
        result = one(claim(consultation("200")), ref)
        assert amounts(result) == (MAD("120.00"), MAD(0), MAD("80.00"))
        assert (result.eligible, result.above_tariff) == (MAD(150), MAD(50))
        assert result.status is LineStatus.REDUCED
        assert result.reasons == ("depassement-tarif",)
        assert result.rate == Decimal("0.80") and result.reference_version == ref.version

    def test_cnss_costly_drug_at_98_percent(self, ref: ReferenceData) -> None:
        """DOMAIN.md: costly drugs in tiers payant, CNSS 98 % [C] (rates.csv AMO_SALARIES
        costly-drug/costly 0.98); 15,000 billed under the PPV: RO 14,700.00, patient 300.00."""
        result = one(pharmacy(costly_drug("15000")), ref)
        assert amounts(result) == (MAD("14700.00"), MAD(0), MAD("300.00"))
        assert result.status is LineStatus.ACCEPTED and result.reasons == ()

    def test_complementary_pays_its_shares(self, ref: ReferenceData) -> None:
        """The RC takes all of the ticket modérateur (30) and half the billing above tariff
        (25): the patient keeps 25."""
        result = one(
            claim(consultation("200"), complementary="RC-TEST"), with_cover(ref, "1", "0.5")
        )
        assert amounts(result) == (MAD(120), MAD(55), MAD(25))

    def test_a_claim_is_paid_on_the_payers_term(self, ref: ReferenceData) -> None:
        """CNSS pays costly-drug invoices within 30 days (DOMAIN.md [C])."""
        answer = adjudicate(pharmacy(costly_drug()), NONE, ref)
        assert answer.payment_date == date(2024, 4, 3)
        assert answer.payable == answer.total("benefit") == MAD(14700)

    def test_a_predetermination_has_no_payment_date(self, ref: ReferenceData) -> None:
        answer = adjudicate(pharmacy(costly_drug(), use=ClaimUse.PREDETERMINATION), NONE, ref)
        assert answer.payment_date is None and answer.lines[0].benefit == MAD(14700)

    def test_nothing_payable_no_payment_date(self, ref: ReferenceData) -> None:
        answer = adjudicate(claim(consultation(), admitted=False), NONE, ref)
        assert answer.payment_date is None and answer.payable == MAD(0)

    def test_totals_add_the_lines(self, ref: ReferenceData) -> None:
        cmd = claim(consultation("200"), consultation("80", code="C", sequence=2))
        answer = adjudicate(cmd, NONE, ref)
        assert answer.total("submitted") == MAD(280)
        assert answer.total("benefit") == MAD(120) + MAD(64)
        assert answer.total("patient") == MAD(80) + MAD(16)


class TestTariffs:
    @pytest.mark.parametrize(
        ("day", "benefit"),
        [(date(2019, 12, 31), "105.00"), (date(2020, 1, 1), "200.00")],
    )
    def test_cnss_specialist_on_the_day_the_2020_convention_starts(
        self, ref: ReferenceData, day: date, benefit: str
    ) -> None:
        """Cs 150 at 70 % until 2019-12-31; Cs 250 (CNSS 2020 conventions) at 80 % (June 2019
        board decision) from 2020-01-01 (refdata tariffs.csv, rates.csv)."""
        cmd = cnss(consultation("250", service_date=day), filed_on=day)
        assert one(cmd, ref).benefit == MAD(benefit)

    def test_cnops_keeps_the_2006_tariff(self, ref: ReferenceData) -> None:
        """CNOPS did not sign the 2020 conventions: Cs stays 150 (DOMAIN.md [C])."""
        assert one(claim(consultation("250")), ref).eligible == MAD(150)

    def test_key_letter_times_coefficient(self, ref: ReferenceData) -> None:
        """K 22.50 x 30 = 675.00 at CNOPS 80 %: 540.00."""
        cmd = claim(consultation("675", code="K", coefficient=Decimal(30)))
        assert one(cmd, ref).benefit == MAD(540)

    def test_nabm_b_times_units(self, ref: ReferenceData) -> None:
        """NABM B 1.10 x 120 units = 132.00, CNSS 80 %: 105.60."""
        lab = line(
            CodeKind.NABM,
            "0101",
            "132",
            category="laboratory",
            coefficient=Decimal(120),
            documents=frozenset({"feuille-de-soins"}),
        )
        result = one(cnss(lab, provider_category="laboratory"), ref)
        assert (result.eligible, result.benefit) == (MAD(132), MAD("105.60"))

    def test_day_rate_times_days(self, ref: ReferenceData) -> None:
        """CNSS 2020: medical hospitalisation 850 a day in a clinic; 3 days at 80 %: 2,040."""
        stay = line(
            CodeKind.DAYS,
            "MED-DAY",
            "2550",
            category="hospitalisation",
            quantity=3,
            pa_valid=True,
            documents=frozenset({"facture", "compte-rendu-medical"}),
        )
        cmd = cnss(stay, provider_category="clinic", claim_type="facility")
        assert one(cmd, ref).benefit == MAD(2040)

    def test_a_code_without_tariff_is_rejected(self, ref: ReferenceData) -> None:
        stay = line(CodeKind.DAYS, "MED-DAY", "850", category="hospitalisation", pa_valid=True)
        result = one(cnss(stay, provider_category="public-hospital"), ref)
        assert (result.status, result.reasons) == (LineStatus.REJECTED, ("tarif-introuvable",))
        assert amounts(result) == (MAD(0), MAD(0), MAD(850))


class TestDrugBase:
    def test_cnss_originator_is_paid_on_the_pbr(self, ref: ReferenceData) -> None:
        """CNSS drugs 70 % of the PBR (decree 2-05-737); amoxicillin PBR 22.40: 15.68."""
        drug = line(
            CodeKind.DRUG,
            AMOXICILLIN,
            "35.50",
            category="pharmacy",
            documents=frozenset({"feuille-de-soins"}),
        )
        result = one(cnss(drug, provider_category="pharmacy"), ref)
        assert (result.eligible, result.benefit, result.above_tariff) == (
            MAD("22.40"),
            MAD("15.68"),
            MAD("13.10"),
        )

    def test_a_dispensed_generic_is_paid_on_its_own_ppv(self, ref: ReferenceData) -> None:
        """DOMAIN.md: the dispensed generic's own PPV [C]; CNSS generics 90 % from 2020 [U]."""
        drug = line(
            CodeKind.DRUG,
            AMOXICILLIN_GENERIC,
            "22.40",
            category="pharmacy",
            generic_dispensed=True,
            documents=frozenset({"feuille-de-soins"}),
        )
        result = one(cnss(drug, provider_category="pharmacy"), ref)
        assert (result.eligible, result.benefit) == (MAD("22.40"), MAD("20.16"))

    def test_cnops_pays_drugs_on_the_public_price(self, ref: ReferenceData) -> None:
        """CNOPS drugs 70 % of the public price (decree 2-05-736): 35.50 x 0.70 = 24.85."""
        drug = line(
            CodeKind.DRUG,
            AMOXICILLIN,
            "35.50",
            category="pharmacy",
            documents=frozenset({"feuille-de-soins"}),
        )
        assert one(claim(drug, provider_category="pharmacy"), ref).benefit == MAD("24.85")

    @pytest.mark.parametrize(
        ("code", "reason"),
        [("6111000000991", "medicament-inconnu"), (PARACETAMOL, "medicament-non-remboursable")],
    )
    def test_unknown_or_unreimbursed_drug_is_rejected(
        self, ref: ReferenceData, code: str, reason: str
    ) -> None:
        drug = line(CodeKind.DRUG, code, "11.50", category="pharmacy")
        result = one(cnss(drug, provider_category="pharmacy"), ref)
        assert (result.status, result.reasons) == (LineStatus.REJECTED, (reason,))


class TestAldExemption:
    def test_a_line_linked_to_a_held_condition_is_exempt(self, ref: ReferenceData) -> None:
        """ALD linked care: CNSS ald rows 100 % [U]; ticket modérateur exempt."""
        cmd = cnss(consultation("250", ald_condition="ALD38"))
        result = one(cmd, ref)
        assert (result.rate, result.ald_exempt, result.benefit) == (Decimal(1), True, MAD(250))
        assert result.reasons == ("exoneration-ald",)

    def test_a_condition_not_held_pays_the_ordinary_rate(self, ref: ReferenceData) -> None:
        result = one(cnss(consultation("250", ald_condition="ALD09")), ref)
        assert (result.ald_exempt, result.benefit) == (False, MAD(200))
        assert result.reasons == ("ald-non-detenue",)

    @pytest.mark.parametrize(("start", "exempt"), [(DAY, True), (date(2024, 3, 5), False)])
    def test_the_grant_counts_from_its_first_day(
        self, ref: ReferenceData, start: date, exempt: bool
    ) -> None:
        insured = Insured("M-SAL", "AMO_SALARIES", (AldGrant("ALD38", start),))
        result = one(cnss(consultation("250", ald_condition="ALD38"), insured=insured), ref)
        assert result.ald_exempt is exempt

    def test_an_unlinked_line_is_not_exempt(self, ref: ReferenceData) -> None:
        assert one(cnss(consultation("250")), ref).ald_exempt is False

    def test_the_condition_rate_applies(self, ref: ReferenceData) -> None:
        """CNSS end-stage renal failure ALD17 98 % since 2008 (ald_rates.csv [P])."""
        insured = Insured("M-SAL", "AMO_SALARIES", (AldGrant("ALD17", date(2020, 1, 1)),))
        result = one(cnss(consultation("250", ald_condition="ALD17"), insured=insured), ref)
        assert (result.rate, result.benefit) == (Decimal("0.98"), MAD(245))


class TestCaesarean:
    def _delivery(self, day: date, documents: frozenset[str]) -> object:
        return line(
            CodeKind.FLAT,
            "CAESAREAN",
            "8000",
            category="maternity",
            service_date=day,
            documents=documents | {"facture", "compte-rendu-medical"},
        )

    @pytest.mark.parametrize(
        ("day", "report", "benefit", "status"),
        [
            (DAY, False, "2700.00", LineStatus.REDUCED),
            (DAY, True, "7200.00", LineStatus.ACCEPTED),
            (date(2019, 4, 30), False, "7200.00", LineStatus.ACCEPTED),
            (date(2019, 5, 1), False, "2700.00", LineStatus.REDUCED),
        ],
    )
    def test_cnops_pays_an_unjustified_caesarean_as_a_delivery(
        self, ref: ReferenceData, day: date, report: bool, benefit: str, status: LineStatus
    ) -> None:
        """DOMAIN.md: caesarean 8,000, vaginal delivery 3,000; CNOPS pays an unjustified
        caesarean at the vaginal-delivery fee since 2019-05-01 [C]; maternity 90 %."""
        documents = frozenset({"compte-rendu-indication"} if report else set())
        cmd = claim(
            self._delivery(day, documents),  # type: ignore[arg-type]
            provider_category="clinic",
            claim_type="facility",
            filed_on=day,
        )
        result = one(cmd, ref)
        assert (result.benefit, result.status) == (MAD(benefit), status)
        assert ("forfait-substitue" in result.reasons) is (status is LineStatus.REDUCED)

    def test_cnss_has_no_such_rule(self, ref: ReferenceData) -> None:
        cmd = cnss(
            self._delivery(DAY, frozenset()),  # type: ignore[arg-type]
            provider_category="clinic",
            claim_type="facility",
        )
        assert one(cmd, ref).benefit == MAD(6400)


SOURCE = Provenance("essai", "U")
CROWN = Tariff("*", "*", "CROWN", "flat", 200000, "Couronne", Validity(date(2015, 1, 1)), SOURCE)


class TestCaps:
    def _crown(self, ref: ReferenceData, paid: list[tuple[date, str]]) -> object:
        data = replace(ref, tariffs=(*ref.tariffs, CROWN))
        crown = line(
            CodeKind.FLAT,
            "CROWN",
            "2000",
            category="dental-prosthesis",
            pa_valid=True,
            documents=frozenset({"feuille-de-soins"}),
        )
        history = ClaimHistory(
            benefits=tuple(PastBenefit("dental-prosthesis", "CROWN", d, MAD(a)) for d, a in paid)
        )
        return one(cnss(crown, provider_category="dental"), data, history)

    def test_under_the_cap_the_rate_applies(self, ref: ReferenceData) -> None:
        """CNSS dental prostheses 80 % (rates.csv [U]), cap 3,000 a year (DOMAIN.md [P])."""
        result = self._crown(ref, [])
        assert result.benefit == MAD(1600) and result.status is LineStatus.ACCEPTED  # type: ignore[attr-defined]

    def test_the_cap_limits_what_is_left_in_the_year(self, ref: ReferenceData) -> None:
        result = self._crown(ref, [(date(2023, 9, 1), "2000")])
        assert (result.benefit, result.patient) == (MAD(1000), MAD(1000))  # type: ignore[attr-defined]
        assert result.reasons == ("plafond-atteint",) and result.status is LineStatus.REDUCED  # type: ignore[attr-defined]

    @pytest.mark.parametrize(
        ("paid_on", "benefit"), [(date(2023, 3, 4), "1600"), (date(2023, 3, 5), "0")]
    )
    def test_a_benefit_leaves_the_period_a_year_later(
        self, ref: ReferenceData, paid_on: date, benefit: str
    ) -> None:
        result = self._crown(ref, [(paid_on, "3000")])
        assert result.benefit == MAD(benefit)  # type: ignore[attr-defined]

    def test_lines_of_one_claim_count_towards_the_cap(self, ref: ReferenceData) -> None:
        """Two crowns of 1,600 each: the second gets what the first left (1,400)."""
        data = replace(ref, tariffs=(*ref.tariffs, CROWN))
        crowns = [
            line(
                CodeKind.FLAT,
                "CROWN",
                "2000",
                category="dental-prosthesis",
                pa_valid=True,
                sequence=n,
                documents=frozenset({"feuille-de-soins"}),
            )
            for n in (1, 2)
        ]
        answer = adjudicate(cnss(*crowns, provider_category="dental"), NONE, data)
        assert [r.benefit for r in answer.lines] == [MAD(1600), MAD(1400)]

    def test_a_rejected_line_uses_no_cap(self, ref: ReferenceData) -> None:
        data = replace(ref, tariffs=(*ref.tariffs, CROWN))
        crowns = [
            line(
                CodeKind.FLAT,
                "CROWN",
                "2000",
                category="dental-prosthesis",
                pa_valid=n == 2,
                sequence=n,
                documents=frozenset({"feuille-de-soins"}),
            )
            for n in (1, 2)
        ]
        answer = adjudicate(cnss(*crowns, provider_category="dental"), NONE, data)
        assert [r.benefit for r in answer.lines] == [MAD(0), MAD(1600)]


class TestRefusals:
    def test_a_provider_not_admitted_is_paid_nothing(self, ref: ReferenceData) -> None:
        result = one(claim(consultation(), admitted=False), ref)
        assert (result.status, result.reasons) == (LineStatus.REJECTED, ("prestataire-non-admis",))
        assert amounts(result) == (MAD(0), MAD(0), MAD(200))

    def test_care_needing_a_pa_without_one_is_rejected(self, ref: ReferenceData) -> None:
        result = one(pharmacy(costly_drug(pa_valid=False)), ref)
        assert (result.status, result.reasons) == (
            LineStatus.REJECTED,
            ("accord-prealable-requis",),
        )

    def test_a_category_without_rate_is_rejected(self, ref: ReferenceData) -> None:
        result = one(cnss(consultation(category="not-a-category")), ref)
        assert result.reasons == ("categorie-non-couverte",)

    def test_missing_documents_make_the_line_incomplete(self, ref: ReferenceData) -> None:
        """Not a refusal: the amounts are what will be paid once the list is sent."""
        result = one(pharmacy(costly_drug(documents=frozenset({"ordonnance"}))), ref)
        assert result.status is LineStatus.INCOMPLETE
        assert result.missing_documents == ("vignettes",)
        assert result.reasons == ("pieces-manquantes",) and result.benefit == MAD(14700)
        assert adjudicate(pharmacy(costly_drug(documents=frozenset())), NONE, ref).payable == MAD(0)

    def test_quantity_above_the_prescription_is_paid_as_prescribed(
        self, ref: ReferenceData
    ) -> None:
        """The box beyond the prescription is the patient's, and not billing above tariff."""
        drug = costly_drug("30400", quantity=2, prescribed_quantity=1)
        result = one(pharmacy(drug), ref)
        assert (result.eligible, result.status) == (MAD(15200), LineStatus.REDUCED)
        assert result.reasons == ("quantite-au-dela-prescription",)
        assert amounts(result) == (MAD(14896), MAD(0), MAD(15504))  # 98 %; 304 + 15,200
        assert result.above_tariff == MAD(0)
