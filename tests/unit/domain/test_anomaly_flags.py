"""Which refusal reasons flag a claim for the payer's reviewers, and what the flag names."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from domain import anomaly_flags
from domain.anomaly_flags import SIGNALS, FlagKind, SubjectKind
from domain.claims import ClaimHistory, ClaimUse
from domain.reference import ReferenceData
from domain.rules.adjudication import adjudicate
from tests.unit.domain.claim_builders import claim, consultation
from tests.unit.domain.test_services_claim_history import bill_of, decided, insulin
from tests.unit.domain.test_services_claims import world

pytestmark = pytest.mark.anyio
AT = datetime(2026, 11, 30, 9, tzinfo=UTC)


class TestSignals:
    def test_the_fraud_signals_of_the_domain_are_declared(self) -> None:
        assert {
            "doublon", "ordonnance-deja-servie", "renouvellement-premature",
            "quantite-au-dela-prescription", "depassement-tarif",
        } <= set(SIGNALS)  # fmt: skip

    def test_a_refusal_for_missing_rights_or_documents_is_no_signal(self) -> None:
        for reason in ("droits-non-ouverts", "pieces-manquantes", "depot-hors-delai"):
            assert reason not in SIGNALS

    def test_every_code_has_a_french_label(self) -> None:
        for code in (*SIGNALS, *anomaly_flags.FIGURES):
            assert anomaly_flags.label(code) != code

    def test_a_statistical_id_is_one_per_payer_subject_and_figure(self) -> None:
        one = anomaly_flags.statistical_id("CNSS", SubjectKind.PROVIDER, "p-1", "ro-par-patient")
        again = anomaly_flags.statistical_id("CNSS", SubjectKind.PROVIDER, "p-1", "ro-par-patient")
        other = anomaly_flags.statistical_id("CNOPS", SubjectKind.PROVIDER, "p-1", "ro-par-patient")
        assert one == again != other

    def test_a_statistical_id_tells_subjects_and_figures_apart(self) -> None:
        ids = {
            anomaly_flags.statistical_id("CNSS", kind, subject, figure)
            for kind in SubjectKind
            for subject in ("p-1", "p-2")
            for figure in anomaly_flags.FIGURES
        }
        assert len(ids) == len(SubjectKind) * 2 * len(anomaly_flags.FIGURES)

    def test_ids_are_derived_as_stored_flags_were(self) -> None:
        # Stored flags are replaced by id: a new derivation would keep each flag twice.
        def derived(*parts: str) -> str:
            return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]

        got = anomaly_flags.statistical_id("CNSS", SubjectKind.INSURED, "m-1", "ro-par-patient")
        assert got == derived("statistical", "CNSS", SubjectKind.INSURED.value, "m-1",
                              "ro-par-patient")  # fmt: skip


class TestRuleFlags:
    def test_each_line_and_reason_flags_once_under_its_own_id(self, ref: ReferenceData) -> None:
        cmd = claim(consultation(sequence=1), consultation(sequence=2, code="C"))
        answer = adjudicate(cmd, ClaimHistory(), ref)
        signals = ("doublon", "depassement-tarif")
        answer = replace(answer, lines=tuple(replace(r, reasons=signals) for r in answer.lines))
        flags = anomaly_flags.rule_flags(cmd, answer, request_id="rq-1", response_id="rs-1", at=AT)
        assert [(f.sequence, f.code) for f in flags] == [
            (1, "doublon"), (1, "depassement-tarif"), (2, "doublon"), (2, "depassement-tarif"),
        ]  # fmt: skip
        assert len({f.id for f in flags}) == 4
        assert {f.at for f in flags} == {AT}
        assert flags[0].id == hashlib.sha256(b"rule\x1frs-1\x1f1\x1fdoublon").hexdigest()[:32]

    async def test_a_duplicate_line_flags_the_claim_with_the_exchange(
        self, ref: ReferenceData
    ) -> None:
        store, ports = world()
        await decided(ports, ref, bill_of("F-1", insulin()))
        assert store.flags == []  # a clean claim flags nothing
        assert (await decided(ports, ref, bill_of("F-2", insulin())))[0] == "rejected:doublon"
        [flag] = store.flags
        assert (flag.kind, flag.code, flag.sequence) == (FlagKind.RULE, "doublon", 1)
        assert flag.claim_source == "pharmacy-1:F-2"
        assert (flag.subject_kind, flag.subject) == (SubjectKind.PROVIDER, "pharmacy-1")
        assert flag.payer and flag.claim_request_id
        assert flag.at == store.ledger[0].at  # when the flagged answer was recorded
        assert "ligne 1" in flag.detail

    async def test_a_predetermination_flags_nothing(self, ref: ReferenceData) -> None:
        store, ports = world()
        await decided(ports, ref, bill_of("F-1", insulin()))
        check = replace(bill_of("CHK", insulin()), use=ClaimUse.PREDETERMINATION)
        await decided(ports, ref, check)
        assert store.flags == []

    async def test_two_answers_to_the_same_line_flag_under_two_ids(
        self, ref: ReferenceData
    ) -> None:
        store, ports = world()
        await decided(ports, ref, bill_of("F-1", insulin()))
        await decided(ports, ref, bill_of("F-2", insulin()))
        await decided(ports, ref, bill_of("F-3", insulin()))
        assert len({flag.id for flag in store.flags}) == 2
