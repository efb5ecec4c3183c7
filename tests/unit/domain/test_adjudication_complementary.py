"""The complementary's share (RC) and the units beyond the prescription, to the centime.

Figures: Cs 150 (2006 TNR [C]), CNOPS ambulatory 80 % and drugs 70 % of the PPV (decree
2-05-736 [C]); insulin glargine PPV 580 (synthetic catalog); MGPAP half the ticket modérateur
and nothing above tariff (complementary.csv, working values [U]).
"""

from __future__ import annotations

from datetime import timedelta

from domain.claims import ClaimHistory, CodeKind, LineResult, LineStatus
from domain.money import Money
from domain.reference import ReferenceData
from domain.rules.adjudication import adjudicate
from tests.unit.domain.claim_builders import (
    DAY,
    INSULIN,
    PARACETAMOL,
    claim,
    consultation,
    line,
    with_cover,
)

MAD = Money.mad
PHARMACY = {"provider_category": "pharmacy"}
SHEET = frozenset({"feuille-de-soins"})


def one(cmd, ref: ReferenceData) -> LineResult:  # type: ignore[no-untyped-def]
    return adjudicate(cmd, ClaimHistory(), ref).lines[0]


def shares(result: LineResult) -> tuple[Money, Money, Money]:
    return result.benefit, result.complementary, result.patient


def insulin(boxes: int, billed: str, prescribed: int | None = None, **changes):  # type: ignore[no-untyped-def]
    return line(
        CodeKind.DRUG, INSULIN, billed, category="pharmacy", quantity=boxes,
        prescribed_quantity=prescribed, documents=SHEET, **changes,
    )  # fmt: skip


class TestComplementaryShare:
    def test_a_mutuelle_pays_its_share_of_the_ticket_moderateur(self, ref: ReferenceData) -> None:
        """Cs billed 150: RO 120.00, MGPAP half of the 30.00 left, the patient the other half."""
        result = one(claim(consultation("150"), complementary="MGPAP"), ref)
        assert shares(result) == (MAD(120), MAD(15), MAD(15))
        assert (result.status, result.reasons) == (LineStatus.ACCEPTED, ())

    def test_billing_above_tariff_stays_the_patient_s_at_a_mutuelle(
        self, ref: ReferenceData
    ) -> None:
        """Cs billed 200: 50.00 above tariff, of which MGPAP pays nothing [U]."""
        result = one(claim(consultation("200"), complementary="MGPAP"), ref)
        assert shares(result) == (MAD(120), MAD(15), MAD(65))
        assert result.above_tariff == MAD(50) and result.reasons == ("depassement-tarif",)

    def test_the_shares_of_a_drug_add_up_to_the_centime(self, ref: ReferenceData) -> None:
        """Two boxes at 580.00 less a centime each: RO 70 % = 811.99 (half up), ticket 347.99:
        MGPAP 174.00 (half up), the patient 173.99."""
        result = one(claim(insulin(2, "1159.98"), complementary="MGPAP", **PHARMACY), ref)
        assert shares(result) == (MAD("811.99"), MAD("174.00"), MAD("173.99"))

    def test_no_complementary_named_pays_nothing_more(self, ref: ReferenceData) -> None:
        result = one(claim(consultation("150")), ref)
        assert shares(result) == (MAD(120), MAD(0), MAD(30)) and result.reasons == ()

    def test_an_unknown_organisation_is_a_warning_not_a_refusal(self, ref: ReferenceData) -> None:
        for named in ("AXA", ""):  # "" an organisation named in no system of ours
            result = one(claim(consultation("150"), complementary=named), ref)
            assert shares(result) == (MAD(120), MAD(0), MAD(30))
            assert result.status is LineStatus.ACCEPTED
            assert result.reasons == ("complementaire-inconnue",)

    def test_a_cover_pays_from_its_first_day_only(self, ref: ReferenceData) -> None:
        data = with_cover(ref, "1", "0", start=DAY)
        on_the_day = one(claim(consultation("150"), complementary="RC-TEST"), data)
        assert shares(on_the_day) == (MAD(120), MAD(30), MAD(0))
        before = consultation("150", service_date=DAY - timedelta(days=1))
        the_day_before = one(claim(before, complementary="RC-TEST"), data)
        assert shares(the_day_before) == (MAD(120), MAD(0), MAD(30))
        assert the_day_before.reasons == ("complementaire-inconnue",)

    def test_a_cover_for_one_category_only(self, ref: ReferenceData) -> None:
        """A row for pharmacy alone: a consultation finds none and says so."""
        data = with_cover(ref, "1", "0", category="pharmacy")
        drug = one(claim(insulin(1, "580"), complementary="RC-TEST", **PHARMACY), data)
        assert shares(drug) == (MAD(406), MAD(174), MAD(0))
        act = one(claim(consultation("150"), complementary="RC-TEST"), data)
        assert act.complementary == MAD(0) and act.reasons == ("complementaire-inconnue",)

    def test_a_refused_line_is_all_the_patient_s(self, ref: ReferenceData) -> None:
        drug = line(CodeKind.DRUG, PARACETAMOL, "11.50", category="pharmacy", documents=SHEET)
        result = one(claim(drug, complementary="MGPAP", **PHARMACY), ref)
        assert result.status is LineStatus.REJECTED
        assert shares(result) == (MAD(0), MAD(0), MAD("11.50"))

    def test_the_shares_add_up_in_the_totals(self, ref: ReferenceData) -> None:
        cmd = claim(consultation("200"), consultation("150", sequence=2), complementary="MGPAP")
        answer = adjudicate(cmd, ClaimHistory(), ref)
        assert (answer.total("benefit"), answer.total("complementary")) == (MAD(240), MAD(30))
        assert (answer.total("patient"), answer.total("submitted")) == (MAD(80), MAD(350))


class TestBeyondThePrescription:
    def test_the_boxes_beyond_are_the_patient_s(self, ref: ReferenceData) -> None:
        """Three boxes billed 1,740.00, two prescribed: paid on 1,160.00 (RO 812.00, MGPAP
        174.00, the patient 174.00), the third box's 580.00 the patient's too."""
        cmd = claim(insulin(3, "1740", prescribed=2), complementary="MGPAP", **PHARMACY)
        result = one(cmd, ref)
        assert (result.status, result.reasons) == (
            LineStatus.REDUCED, ("quantite-au-dela-prescription",),
        )  # fmt: skip
        assert (result.eligible, result.above_tariff) == (MAD(1160), MAD(0))
        assert shares(result) == (MAD(812), MAD(174), MAD(754))

    def test_at_the_prescription_nothing_is_reduced(self, ref: ReferenceData) -> None:
        result = one(claim(insulin(2, "1160", prescribed=2), **PHARMACY), ref)
        assert (result.status, result.reasons) == (LineStatus.ACCEPTED, ())
        assert shares(result) == (MAD(812), MAD(0), MAD(348))

    def test_one_box_beyond_is_enough(self, ref: ReferenceData) -> None:
        result = one(claim(insulin(3, "1740", prescribed=2), **PHARMACY), ref)
        assert result.status is LineStatus.REDUCED and result.benefit == MAD(812)

    def test_a_price_above_the_ppv_is_still_said_within_the_prescription(
        self, ref: ReferenceData
    ) -> None:
        """Three boxes at 600.00, two prescribed: 1,200.00 within, 40.00 of it above the PPV."""
        result = one(claim(insulin(3, "1800", prescribed=2), **PHARMACY), ref)
        assert result.reasons == ("quantite-au-dela-prescription", "depassement-tarif")
        assert (result.eligible, result.above_tariff) == (MAD(1160), MAD(40))
        assert shares(result) == (MAD(812), MAD(0), MAD(988))  # 348 + 40 + 600

    def test_the_beyond_part_is_rounded_once(self, ref: ReferenceData) -> None:
        """One box prescribed of three billed 1,000.00: 333.33 within, 666.67 beyond."""
        result = one(claim(insulin(3, "1000", prescribed=1), **PHARMACY), ref)
        assert result.eligible == MAD("333.33")
        assert result.benefit + result.complementary + result.patient == MAD(1000)
