"""Subscription (R4, Backport IG) in and out, and the notification Bundles."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest

from domain.errors import DomainError
from domain.notifications import Topic
from domain.records import Notification
from domain.subscriptions import (
    Delivery,
    DeliveryEvent,
    DeliveryStatus,
    FocusFilter,
    Subscription,
    SubscriptionStatus,
)
from fhir_profiles import notifications, systems
from fhir_profiles import subscriptions as fhir
from tests.fhir_schema import assert_valid_r4

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BASE = "https://gw.example/fhir"
TOPIC = "https://fhir.tiers-payant.ma/SubscriptionTopic/prior-authorization-decided"


def posted(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "resourceType": "Subscription",
        "status": "requested",
        "reason": "Suivi des prises en charge",
        "criteria": TOPIC,
        "_criteria": {
            "extension": [
                {"url": systems.EXT_FILTER_CRITERIA, "valueString": "ClaimResponse?_id=a1,b2"}
            ]
        },
        "channel": {
            "type": "rest-hook",
            "endpoint": "https://pharmacie.example/hooks",
            "payload": "application/fhir+json",
            "_payload": {
                "extension": [{"url": systems.EXT_PAYLOAD_CONTENT, "valueCode": "id-only"}]
            },
        },
    }
    body.update(changes)
    return body


def refused(body: dict[str, Any]) -> DomainError:
    with pytest.raises(DomainError) as caught:
        fhir.to_domain(body)
    return caught.value


class TestToDomain:
    def test_a_backport_subscription_is_read(self) -> None:
        cmd = fhir.to_domain(posted(end="2027-01-01T00:00:00Z"))
        assert cmd.topic is Topic.PA_DECIDED
        assert cmd.endpoint_url == "https://pharmacie.example/hooks"
        assert cmd.filters == (FocusFilter("ClaimResponse", ("a1", "b2")),)
        assert cmd.end == datetime(2027, 1, 1, tzinfo=UTC)

    def test_payload_and_content_default_to_json_id_only(self) -> None:
        body = posted()
        del body["channel"]["payload"], body["channel"]["_payload"], body["_criteria"]
        assert fhir.to_domain(body).filters == ()

    def test_an_unknown_topic_is_refused(self) -> None:
        error = refused(posted(criteria="https://fhir.tiers-payant.ma/SubscriptionTopic/nope"))
        assert (error.code, error.expression) == ("sujet-inconnu", "Subscription.criteria")

    @pytest.mark.parametrize(
        ("channel", "path"),
        [
            ({"type": "websocket"}, "Subscription.channel.type"),
            ({"payload": "application/fhir+xml"}, "Subscription.channel.payload"),
            ({"header": ["Authorization: Bearer x"]}, "Subscription.channel.header"),
            (
                {
                    "_payload": {
                        "extension": [
                            {"url": systems.EXT_PAYLOAD_CONTENT, "valueCode": "full-resource"}
                        ]
                    }
                },
                "Subscription.channel.payload",
            ),
        ],
    )
    def test_another_channel_is_refused(self, channel: dict[str, Any], path: str) -> None:
        body = posted()
        body["channel"].update(channel)
        error = refused(body)
        assert (error.code, error.expression) == ("canal-non-pris-en-charge", path)

    @pytest.mark.parametrize(
        "criterion", ["Claim?_id=a", "ClaimResponse?patient=Patient/1", "ClaimResponse?_id=a b"]
    )
    def test_a_filter_we_cannot_apply_is_refused(self, criterion: str) -> None:
        body = posted(
            _criteria={
                "extension": [{"url": systems.EXT_FILTER_CRITERIA, "valueString": criterion}]
            }
        )
        assert refused(body).code in ("filtre-non-pris-en-charge", "ressource-invalide")

    def test_a_status_other_than_requested_or_active_is_refused(self) -> None:
        assert refused(posted(status="off")).expression == "Subscription.status"

    @pytest.mark.parametrize("missing", ["reason", "criteria", "channel", "status"])
    def test_a_required_element_missing_is_malformed(self, missing: str) -> None:
        body = posted()
        del body[missing]
        assert refused(body).code == "ressource-invalide"

    def test_another_resource_type_is_refused(self) -> None:
        assert refused(posted(resourceType="Patient")).code == "type-ressource-invalide"

    def test_an_end_without_timezone_is_malformed(self) -> None:
        assert refused(posted(end="2027-01-01T00:00:00")).code == "ressource-invalide"

    def test_an_unknown_element_is_refused(self) -> None:
        assert refused(posted(topic=TOPIC)).code == "ressource-invalide"

    def test_the_payment_topic_filters_on_payment_notices(self) -> None:
        paid = TOPIC.replace("prior-authorization-decided", "payment-notified")
        only = {"url": systems.EXT_FILTER_CRITERIA, "valueString": "PaymentNotice?_id=E2E-1"}
        criteria = {"extension": [only]}
        command = fhir.to_domain(posted(criteria=paid, _criteria=criteria))
        assert command.topic is Topic.PAYMENT_NOTIFIED
        assert command.filters == (FocusFilter("PaymentNotice", ("E2E-1",)),)
        refusal = refused(posted(criteria=paid))  # its filter names ClaimResponse
        assert refusal.code == "filtre-non-pris-en-charge"


def subscription() -> Subscription:
    return Subscription(
        id="sub-1",
        tenant="org-1",
        topic=Topic.PA_DECIDED,
        endpoint_id="ep-1",
        endpoint_url="https://pharmacie.example/hooks",
        reason="Suivi",
        status=SubscriptionStatus.ERROR,
        created=NOW,
        filters=(FocusFilter("ClaimResponse", ("a1",)),),
        end=datetime(2027, 1, 1, tzinfo=UTC),
        events=7,
        error="Notification non livrée après toutes ses tentatives : HTTP 503",
    )


class TestFromDomain:
    def test_is_valid_r4_with_the_backport_profile(self) -> None:
        resource = fhir.from_domain(subscription())
        assert_valid_r4(resource)
        assert resource["meta"]["profile"] == [systems.SD_BACKPORT_SUBSCRIPTION]
        assert resource["end"] == "2027-01-01T00:00:00.000Z"

    def test_reads_back_as_what_was_asked(self) -> None:
        resource = fhir.from_domain(subscription())
        resource["status"] = "requested"
        del resource["id"], resource["meta"], resource["error"]
        cmd = fhir.to_domain(copy.deepcopy(resource))
        assert (cmd.topic, cmd.filters, cmd.end) == (
            Topic.PA_DECIDED,
            subscription().filters,
            subscription().end,
        )


def event() -> Notification:
    return Notification("ev-1", "org-1", Topic.PA_DECIDED.value, "ClaimResponse/a1", NOW)


class TestNotification:
    def bundle(self) -> dict[str, Any]:
        delivery = Delivery("msg_1", event(), "sub-1", 3, 7, "https://h.example/", "whsec_x", 1)
        return orjson.loads(notifications.notification(delivery, BASE))  # type: ignore[no-any-return]

    def test_is_a_valid_r4_history_bundle(self) -> None:
        bundle = self.bundle()
        assert_valid_r4(bundle)
        assert bundle["type"] == "history"
        assert bundle["meta"]["profile"] == [systems.SD_BACKPORT_NOTIFICATION]

    def test_its_first_entry_is_the_subscription_status(self) -> None:
        entry = self.bundle()["entry"][0]
        status = entry["resource"]
        assert status["resourceType"] == "Parameters"
        assert status["meta"]["profile"] == [systems.SD_BACKPORT_STATUS]
        assert entry["fullUrl"] == f"urn:uuid:{status['id']}"
        assert entry["request"]["url"] == f"{BASE}/Subscription/sub-1/$status"
        values = {p["name"]: p for p in status["parameter"]}
        assert values["subscription"]["valueReference"]["reference"] == f"{BASE}/Subscription/sub-1"
        assert values["topic"]["valueCanonical"] == TOPIC
        assert values["type"]["valueCode"] == "event-notification"
        assert values["events-since-subscription-start"]["valueString"] == "7"

    def test_it_is_id_only_the_focus_by_reference(self) -> None:
        status = self.bundle()["entry"][0]["resource"]
        event_parts = next(
            p["part"] for p in status["parameter"] if p["name"] == "notification-event"
        )
        parts = {p["name"]: p for p in event_parts}
        assert parts["event-number"]["valueString"] == "3"
        assert parts["focus"]["valueReference"]["reference"] == f"{BASE}/ClaimResponse/a1"
        assert len(self.bundle()["entry"]) == 1  # no resource content

    def test_the_same_delivery_renders_the_same_bytes(self) -> None:
        assert self.bundle() == self.bundle()


class TestEventsAndStatus:
    def test_events_list_each_delivery_s_state(self) -> None:
        listed = [
            DeliveryEvent(1, event(), DeliveryStatus.DELIVERED, 1, delivered=NOW),
            DeliveryEvent(2, event(), DeliveryStatus.DEAD, 12, last_error="HTTP 503"),
            DeliveryEvent(3, event(), DeliveryStatus.PENDING, 2, "délai dépassé", next_attempt=NOW),
        ]
        bundle = notifications.events_bundle(subscription(), listed, BASE, NOW)
        assert_valid_r4(bundle)
        status = bundle["entry"][0]["resource"]
        found = [
            {p["name"]: next(v for k, v in p.items() if k.startswith("value")) for p in e["part"]}
            for e in status["parameter"]
            if e["name"] == "notification-event"
        ]
        assert [(f["event-number"], f["delivery-status"]) for f in found] == [
            ("1", "delivered"),
            ("2", "dead"),
            ("3", "pending"),
        ]
        assert found[1]["delivery-error"] == "HTTP 503" and found[1]["delivery-attempts"] == 12
        assert "next-attempt" in found[2] and "delivered" in found[0]

    def test_status_is_a_searchset_of_one(self) -> None:
        bundle = notifications.status_bundle(subscription(), BASE)
        assert_valid_r4(bundle)
        status = bundle["entry"][0]["resource"]
        values = {p["name"]: p for p in status["parameter"]}
        assert values["status"]["valueCode"] == "error"
        assert values["type"]["valueCode"] == "query-status"
        assert "HTTP 503" in values["error"]["valueCodeableConcept"]["text"]
