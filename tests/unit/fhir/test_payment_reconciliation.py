"""A transfer as the provider reads it: PaymentReconciliation and PaymentNotice, valid R4."""

from __future__ import annotations

import pytest

from domain.money import Money
from domain.payment_records import PaidClaim, TransferStatus
from fhir_profiles import r4, systems, terminology
from fhir_profiles.payment_reconciliation import from_domain, notice
from tests.fhir_schema import assert_valid_r4
from tests.payment_worlds import rejected, sent, transfer

INPE = "111222333"
PAYMENT_STATUS = "http://terminology.hl7.org/CodeSystem/paymentstatus"


class TestReconciliation:
    def test_an_executed_transfer_is_complete_with_a_detail_per_claim(self) -> None:
        body = from_domain(transfer(), requestor_inpe=INPE)
        assert_valid_r4(body)
        r4.parse(body)
        assert (body["id"], body["status"], body["outcome"]) == (
            "E2E-CNSS-0001",
            "active",
            "complete",
        )
        assert body["paymentAmount"] == {"value": 590.5, "currency": "MAD"}
        assert body["paymentDate"] == "2026-07-06"
        assert body["created"] == "2026-07-03T08:30:00+00:00"
        assert body["paymentIdentifier"]["value"] == "E2E-CNSS-0001"
        assert [
            (d["request"]["reference"], d["response"]["reference"], d["amount"]["value"])
            for d in body["detail"]
        ] == [
            ("Claim/claim-1", "ClaimResponse/resp-1", 490.5),
            ("Claim/claim-2", "ClaimResponse/resp-2", 100),
        ]
        assert {d["type"]["coding"][0]["code"] for d in body["detail"]} == {"payment"}

    def test_the_payer_issues_it_and_the_provider_is_named_by_inpe(self) -> None:
        body = from_domain(transfer(payer="CNOPS"), requestor_inpe=INPE)
        assert body["paymentIssuer"]["identifier"] == {"system": systems.PAYER_ID, "value": "CNOPS"}
        assert body["requestor"]["identifier"] == {"system": systems.INPE, "value": INPE}

    def test_a_rejection_is_cancelled_in_error_with_the_bank_s_reason_in_french(self) -> None:
        body = from_domain(rejected(reason="AC04"), requestor_inpe=INPE)
        assert_valid_r4(body)
        assert (body["status"], body["outcome"]) == ("cancelled", "error")
        assert body["disposition"] == "Virement rejeté par la banque : Compte clôturé (AC04)"

    def test_an_unlisted_bank_reason_is_still_shown(self) -> None:
        body = from_domain(rejected(reason="ZZ99"), requestor_inpe=INPE)
        assert body["disposition"].endswith("(ZZ99)")

    def test_a_sent_transfer_is_queued_and_dated_the_day_it_was_sent(self) -> None:
        body = from_domain(sent(), requestor_inpe=INPE)
        assert_valid_r4(body)
        assert (body["outcome"], body["paymentDate"]) == ("queued", "2026-07-03")

    def test_a_transfer_without_claims_has_no_detail(self) -> None:
        body = from_domain(transfer(claims=()), requestor_inpe=INPE)
        assert_valid_r4(body)
        assert "detail" not in body


class TestNotice:
    def test_an_executed_transfer_is_paid_and_points_to_its_reconciliation(self) -> None:
        body = notice(transfer(), requestor_inpe=INPE)
        assert_valid_r4(body)
        r4.parse(body)
        assert body["payment"] == {"reference": "PaymentReconciliation/E2E-CNSS-0001"}
        assert body["paymentStatus"]["coding"][0] == {
            "system": PAYMENT_STATUS, "code": "paid", "display": "Paid",
        }  # fmt: skip
        assert (body["paymentDate"], body["created"]) == ("2026-07-06", "2026-07-06T10:00:00+00:00")
        assert body["amount"] == {"value": 590.5, "currency": "MAD"}
        assert body["payee"] == body["recipient"]
        assert body["recipient"]["identifier"]["value"] == INPE
        assert "request" not in body  # two claims: the reconciliation lists them

    def test_a_transfer_of_one_claim_names_it(self) -> None:
        one = (PaidClaim("claim-9", "resp-9", Money(2_250)),)
        body = notice(transfer(claims=one), requestor_inpe=INPE)
        assert_valid_r4(body)
        assert body["request"] == {"reference": "Claim/claim-9"}
        assert body["response"] == {"reference": "ClaimResponse/resp-9"}
        assert body["amount"] == {"value": 22.5, "currency": "MAD"}

    def test_a_claim_is_named_by_its_number_too_and_nothing_unknown_is_referenced(
        self,
    ) -> None:
        known = PaidClaim("claim-9", "resp-9", Money(2_250), "F-2026-9")
        body = notice(transfer(claims=(known,)), requestor_inpe=INPE)
        assert body["request"] == {"reference": "Claim/claim-9",
                                   "identifier": {"value": "F-2026-9"}}  # fmt: skip
        older = PaidClaim("", "", Money(2_250), "F-2019-1")  # paid before ids were kept
        body = from_domain(transfer(claims=(older,)), requestor_inpe=INPE)
        assert_valid_r4(body)
        (detail,) = body["detail"]
        assert detail["request"] == {"identifier": {"value": "F-2019-1"}}
        assert "response" not in detail

    @pytest.mark.parametrize("status", [TransferStatus.SENT, TransferStatus.REJECTED])
    def test_only_an_executed_transfer_has_a_notice(self, status: TransferStatus) -> None:
        with pytest.raises(ValueError, match="not executed"):
            notice(transfer(status=status), requestor_inpe=INPE)


class TestIdentifiers:
    def test_the_end_to_end_id_is_in_a_published_system(self) -> None:
        body = from_domain(transfer(), requestor_inpe=INPE)
        published = {ns["uniqueId"][0]["value"] for ns in terminology.naming_systems()}
        assert body["paymentIdentifier"]["system"] == systems.END_TO_END_ID
        assert systems.END_TO_END_ID in published
