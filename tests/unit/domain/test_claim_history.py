"""The history a claim joins and reads: which lines, how far back, another patient's lines."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from domain.claim_history import HistoryLine, as_history, lookback, made_payable
from domain.claims import ClaimHistory, CodeKind
from domain.money import Money
from domain.reference import ReferenceData
from domain.rules.adjudication import adjudicate
from tests.unit.domain.claim_builders import DAY, claim, cnss, consultation, line

PROSTHESIS = dict(category="dental-prosthesis", documents=frozenset({"feuille-de-soins"}))


class TestMadePayable:
    def test_each_paid_line_keeps_its_own_sequence(self, ref: ReferenceData) -> None:
        cmd = claim(consultation(sequence=1), consultation(sequence=2, code="C"))
        kept = made_payable(cmd, adjudicate(cmd, ClaimHistory(), ref))
        assert [h.sequence for h in kept] == [1, 2]

    def test_an_answer_of_other_lines_than_the_claim_s_is_refused(self, ref: ReferenceData) -> None:
        cmd = claim(consultation(sequence=1), consultation(sequence=2, code="C"))
        answer = adjudicate(claim(consultation(sequence=1)), ClaimHistory(), ref)
        with pytest.raises(ValueError, match="zip"):
            made_payable(cmd, answer)


class TestLookback:
    def test_a_capped_line_looks_back_over_its_payer_s_cap_period(self, ref: ReferenceData) -> None:
        prosthesis = line(CodeKind.NGAP, "D", "1000", **PROSTHESIS)  # CNSS: 3,000 MAD a year
        assert lookback([prosthesis], "CNSS", ref, supply_days=365) == date(2023, 3, 4)
        assert lookback([prosthesis], "CNOPS", ref, supply_days=365) == DAY  # no cap there

    def test_no_line_needs_no_history(self, ref: ReferenceData) -> None:
        assert lookback([], "CNSS", ref, supply_days=365) is None


class TestAsHistory:
    def test_another_patient_s_line_counts_as_a_line_without_member(
        self, ref: ReferenceData
    ) -> None:
        cmd = cnss(consultation())
        (own,) = made_payable(cmd, adjudicate(cmd, ClaimHistory(), ref))
        other: HistoryLine = replace(own, source="P-2:CL-9", member_id=None)
        history = as_history([own, other], excluding=())
        assert [p.member_id for p in history.lines] == [cmd.insured.member_id, ""]
        assert [b.benefit for b in history.benefits] == [own.benefit]
        assert own.benefit > Money(0)
