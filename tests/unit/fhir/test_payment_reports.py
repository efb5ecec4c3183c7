"""Third parties' PaymentReconciliation and PaymentNotice (HL7 R4, NRCeS NHCX, NPHIES), copied
byte for byte in tests/fixtures/fhir-examples: each is read into the domain, or refused with a
stable code and its reason. Their amounts are in USD, INR or SAR: as published they are
refused for their currency; put in dirhams, they are read."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest

from domain.errors import DomainError
from domain.money import Money
from domain.payment_reports import ReportedDetail, ReportedNotice, ReportedReconciliation
from fhir_profiles.payment_reports import to_domain

EXAMPLES = Path(__file__).parents[2] / "fixtures" / "fhir-examples"
HL7_ER2500 = "paymentreconciliation-example-er2500.json"
NHCX_RECONCILIATION = "nhcx-paymentreconciliation-example-01.json"
NHCX_NOTICE = "nhcx-paymentnotice-example-01.json"
NPHIES_RECONCILIATION = "nphies-payment-reconciliation.json"
NPHIES_NOTICE = "nphies-payment-notice.json"


def example(name: str) -> dict[str, Any]:
    found: dict[str, Any] = orjson.loads((EXAMPLES / name).read_bytes())
    return found


def in_dirhams(value: Any) -> Any:
    """The same resource with every currency MAD."""
    if isinstance(value, dict):
        return {k: "MAD" if k == "currency" else in_dirhams(v) for k, v in value.items()}
    if isinstance(value, list):
        return [in_dirhams(v) for v in value]
    return value


def refusal(body: dict[str, Any]) -> DomainError:
    with pytest.raises(DomainError) as caught:
        to_domain(body)
    return caught.value


class TestAsPublished:
    @pytest.mark.parametrize(
        ("name", "currency", "where"),
        [
            (HL7_ER2500, "USD", "PaymentReconciliation.paymentAmount.currency"),
            (NHCX_RECONCILIATION, "INR", "PaymentReconciliation.paymentAmount.currency"),
            (NHCX_NOTICE, "INR", "PaymentNotice.amount.currency"),
            (NPHIES_NOTICE, "SAR", "PaymentNotice.amount.currency"),
        ],
    )
    def test_a_foreign_currency_is_refused(self, name: str, currency: str, where: str) -> None:
        refused = refusal(example(name))
        assert refused.code == "devise-non-prise-en-charge"
        assert f"« {currency} »" in refused.detail
        assert refused.expression == where

    def test_the_nphies_reconciliation_is_not_r4_and_says_where(self) -> None:
        # NPHIES repeats paymentIdentifier, which R4 allows once (0..1).
        refused = refusal(example(NPHIES_RECONCILIATION))
        assert refused.code == "ressource-invalide"
        assert "paymentIdentifier" in refused.detail


class TestInDirhams:
    def test_the_hl7_reconciliation_reads_its_payment_and_lines(self) -> None:
        read = to_domain(in_dirhams(example(HL7_ER2500)))
        assert isinstance(read, ReportedReconciliation)
        assert (read.id, read.status, read.outcome) == ("ER2500", "active", "complete")
        assert (read.payment_date, read.amount) == (date(2014, 8, 1), Money.mad("7000"))
        assert read.payment_identifier == "http://www.BenefitsInc.com/payment/2018|10-12345"
        assert read.details == (
            ReportedDetail(
                Money.mad("3500"),
                request="http://happyvalleyclinic.com/claim|AB12345",
                response="http://www.BenefitsInc.com/fhir/claimresponse|CR20140815-AB12345",
            ),
            ReportedDetail(
                Money.mad("4000"),
                request="http://www.BenefitsInc.com/fhir/oralhealthclaim/225476332699",
            ),
            ReportedDetail(Money.mad("-1500")),  # an advance taken back
        )

    def test_the_nhcx_reconciliation_reads_like_the_hl7_one(self) -> None:
        read = to_domain(in_dirhams(example(NHCX_RECONCILIATION)))
        assert isinstance(read, ReportedReconciliation)
        assert read.amount == Money.mad("7000")
        assert sum((d.amount for d in read.details), Money(0)) == Money.mad("6000")

    def test_the_nhcx_notice_reads_its_reconciliation_and_claim(self) -> None:
        read = to_domain(in_dirhams(example(NHCX_NOTICE)))
        assert read == ReportedNotice(
            id="example-01",
            status="active",
            amount=Money.mad("12500"),
            payment="PaymentReconciliation/example-01",
            payment_date=date(2014, 8, 15),
            payment_status="paid",
            request="Claim/example-01",
            response="ClaimResponse/example-01",
        )

    def test_the_nphies_notice_is_read_out_of_its_message(self) -> None:
        read = to_domain(in_dirhams(example(NPHIES_NOTICE)))
        assert isinstance(read, ReportedNotice)
        assert read.payment == "http://sni.com.sa/paymentreconciliation|929060"
        assert (read.amount, read.payment_status) == (Money.mad("193.55"), "cleared")


class TestRefusals:
    def test_a_missing_payment_amount_is_not_r4(self) -> None:
        body = in_dirhams(example(HL7_ER2500))
        del body["paymentAmount"]  # 1..1 in R4
        refused = refusal(body)
        assert refused.code == "ressource-invalide"
        assert "paymentAmount" in refused.detail

    def test_a_line_without_amount_is_refused(self) -> None:
        body = in_dirhams(example(HL7_ER2500))
        del body["detail"][1]["amount"]  # 0..1 in R4: ours are all counted
        refused = refusal(body)
        assert (refused.code, refused.expression) == (
            "montant-invalide", "PaymentReconciliation.detail[1].amount.value",
        )  # fmt: skip

    def test_an_amount_without_currency_is_refused(self) -> None:
        body = in_dirhams(example(NHCX_NOTICE))
        del body["amount"]["currency"]
        assert refusal(body).code == "devise-non-prise-en-charge"

    def test_a_fraction_of_a_centime_is_refused(self) -> None:
        body = in_dirhams(example(NHCX_NOTICE))
        body["amount"]["value"] = 12.345
        assert refusal(body).code == "montant-invalide"

    def test_another_resource_type_is_refused(self) -> None:
        assert refusal({"resourceType": "Claim"}).code == "type-ressource-invalide"

    def test_a_bundle_without_a_payment_is_refused(self) -> None:
        body = example(NPHIES_NOTICE)
        body["entry"] = [body["entry"][0]]
        assert refusal(body).code == "enveloppe-invalide"
