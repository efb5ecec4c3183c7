"""Which refusal reasons flag a claim for the payer's reviewers, and what the flag names."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from domain import anomaly_flags
from domain.anomaly_flags import SIGNALS, FlagKind, SubjectKind
from domain.claims import ClaimUse
from domain.reference import ReferenceData
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


class TestRuleFlags:
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
