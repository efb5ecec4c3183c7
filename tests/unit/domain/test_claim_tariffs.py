"""Claim reference data: tariffs, substitutions, caps, windows, documents, payment terms."""

from __future__ import annotations

from datetime import date

from domain.reference import ReferenceData

DAY = date(2024, 6, 3)


def _value(ref: ReferenceData, payer: str, category: str, code: str, day: date) -> int | None:
    found = ref.tariff(payer, category, code, day)
    return found.value_centimes if found else None


class TestTariffs:
    def test_the_2006_grid_prices_a_cnops_consultation(self, ref: ReferenceData) -> None:
        """2006 convention, grid 1: C 80, Cs 150, B 1.10 (DOMAIN.md, TNR [C])."""
        assert _value(ref, "CNOPS", "gp", "C", DAY) == 8000
        assert _value(ref, "CNOPS", "specialist", "Cs", DAY) == 15000
        assert _value(ref, "CNOPS", "laboratory", "B", DAY) == 110

    def test_cnss_2020_conventions_apply_from_their_first_day(self, ref: ReferenceData) -> None:
        """CNSS 2020 conventions: C 150, Cs 250 (DOMAIN.md [C]; first day 2020-01-01 [U])."""
        assert _value(ref, "CNSS", "specialist", "Cs", date(2019, 12, 31)) == 15000
        assert _value(ref, "CNSS", "specialist", "Cs", date(2020, 1, 1)) == 25000
        assert _value(ref, "CNSS", "gp", "C", date(2020, 1, 1)) == 15000

    def test_cnops_did_not_sign_the_2020_conventions(self, ref: ReferenceData) -> None:
        assert _value(ref, "CNOPS", "specialist", "Cs", date(2024, 1, 1)) == 15000

    def test_day_rates_are_the_clinics(self, ref: ReferenceData) -> None:
        """CNSS 2020: intensive care 2,500 a day, medical hospitalisation 850 (DOMAIN.md [C])."""
        assert _value(ref, "CNSS", "clinic", "ICU-DAY", DAY) == 250000
        assert _value(ref, "CNSS", "clinic", "MED-DAY", DAY) == 85000
        assert _value(ref, "CNSS", "public-hospital", "MED-DAY", DAY) is None

    def test_delivery_flat_fees(self, ref: ReferenceData) -> None:
        """Caesarean 8,000 MAD, vaginal delivery 3,000 MAD (DOMAIN.md [C])."""
        assert _value(ref, "CNSS", "clinic", "CAESAREAN", DAY) == 800000
        assert _value(ref, "CNOPS", "clinic", "VAGINAL-DELIVERY", DAY) == 300000


class TestFeeSubstitution:
    def test_cnops_pays_an_unjustified_caesarean_as_a_delivery_from_2019_05_01(
        self, ref: ReferenceData
    ) -> None:
        """CNOPS since 2019-05-01 (DOMAIN.md [C])."""
        found = ref.fee_substitution("CNOPS", "CAESAREAN", date(2019, 5, 1))
        assert found is not None and found.paid_as == "VAGINAL-DELIVERY"
        assert ref.fee_substitution("CNOPS", "CAESAREAN", date(2019, 4, 30)) is None
        assert ref.fee_substitution("CNSS", "CAESAREAN", DAY) is None


class TestCaps:
    def test_cnss_dental_prostheses_3000_a_year(self, ref: ReferenceData) -> None:
        """CNSS dental prostheses 3,000 MAD a year (DOMAIN.md [P])."""
        cap = ref.cap("CNSS", "dental-prosthesis", "D-CROWN", DAY)
        assert cap is not None and (cap.amount_centimes, cap.period_months) == (300000, 12)
        assert ref.cap("CNOPS", "dental-prosthesis", "D-CROWN", DAY) is None

    def test_optics_caps_per_code(self, ref: ReferenceData) -> None:
        """Frame 400, lens 400, progressive 800 (issue 10); period 24 months [U]."""
        amounts = {
            code: cap.amount_centimes
            for code in ("frame", "lens", "progressive-lens")
            if (cap := ref.cap("CNOPS", "optics", code, DAY)) is not None
        }
        assert amounts == {"frame": 40000, "lens": 40000, "progressive-lens": 80000}
        assert ref.cap("CNOPS", "optics", "contact-lens", DAY) is None


class TestWindowsDocumentsTerms:
    def test_filing_windows(self, ref: ReferenceData) -> None:
        """Feuille de soins 60 days; CNSS costly drugs and CNOPS facilities 3 months [C]."""
        spans = {
            (payer, kind): (w.span, w.unit)
            for payer, kind in (
                ("CNSS", "ambulatory"),
                ("CNSS", "costly-drug"),
                ("CNOPS", "facility"),
            )
            if (w := ref.filing_window(payer, kind, DAY)) is not None
        }
        assert spans == {
            ("CNSS", "ambulatory"): (60, "day"),
            ("CNSS", "costly-drug"): (3, "month"),
            ("CNOPS", "facility"): (3, "month"),
        }

    def test_a_payer_without_its_own_window_takes_the_working_one(self, ref: ReferenceData) -> None:
        window = ref.filing_window("CNOPS", "costly-drug", DAY)
        assert window is not None and window.provenance.confidence == "U"

    def test_required_documents_by_claim_type(self, ref: ReferenceData) -> None:
        codes = [d.document for d in ref.required_documents("CNSS", "costly-drug", DAY)]
        assert codes == ["ordonnance", "vignettes"]
        assert ref.required_documents("CNSS", "unknown-type", DAY) == ()

    def test_payment_terms(self, ref: ReferenceData) -> None:
        """CNSS costly drugs 30 days [C]; CNSS 14 days and CNOPS 14 days otherwise [P]."""
        days = {
            (payer, kind): term.days
            for payer, kind in (
                ("CNSS", "costly-drug"),
                ("CNSS", "ambulatory"),
                ("CNOPS", "facility"),
            )
            if (term := ref.payment_term(payer, kind, DAY)) is not None
        }
        assert days == {
            ("CNSS", "costly-drug"): 30,
            ("CNSS", "ambulatory"): 14,
            ("CNOPS", "facility"): 14,
        }
