"""Subscriptions: which events they hear, delivery ids, and the retry schedule."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.notifications import Topic
from domain.records import Notification
from domain.subscriptions import (
    FocusFilter,
    RetryPolicy,
    Subscription,
    SubscriptionStatus,
    delivery_id,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
POLICY = RetryPolicy(max_attempts=6, base_seconds=30.0, cap_seconds=600.0)


def subscription(**changes: object) -> Subscription:
    base = Subscription(
        id="sub-1",
        tenant="org-111222333",
        topic=Topic.PA_DECIDED,
        endpoint_id="ep-1",
        endpoint_url="https://hooks.example/amo",
        reason="suivi",
        status=SubscriptionStatus.ACTIVE,
        created=NOW,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def event(**changes: object) -> Notification:
    base = Notification("ev-1", "org-111222333", Topic.PA_DECIDED.value, "ClaimResponse/abc", NOW)
    return replace(base, **changes)  # type: ignore[arg-type]


class TestHears:
    def test_an_event_of_its_tenant_and_topic(self) -> None:
        assert subscription().hears(event())

    def test_not_another_tenant_s_event(self) -> None:
        assert not subscription().hears(event(tenant="org-444555666"))

    def test_not_another_topic(self) -> None:
        assert not subscription().hears(event(topic=Topic.PA_EXPIRED.value))

    def test_not_after_its_end(self) -> None:
        assert not subscription(end=NOW).hears(event())
        assert subscription(end=NOW + timedelta(seconds=1)).hears(event())

    def test_not_when_off(self) -> None:
        assert not subscription(status=SubscriptionStatus.OFF).hears(event())
        assert subscription(status=SubscriptionStatus.ERROR).hears(event())

    def test_filters_all_apply(self) -> None:
        by_id = FocusFilter("ClaimResponse", ("abc", "def"))
        assert subscription(filters=(by_id,)).hears(event())
        assert not subscription(filters=(by_id,)).hears(event(focus="ClaimResponse/xyz"))
        other_type = FocusFilter("Claim")
        assert not subscription(filters=(by_id, other_type)).hears(event())


class TestFocusFilter:
    def test_a_type_alone_takes_every_resource_of_it(self) -> None:
        assert FocusFilter("ClaimResponse").matches("ClaimResponse/any")

    def test_ids_narrow_it(self) -> None:
        assert not FocusFilter("ClaimResponse", ("a",)).matches("ClaimResponse/ab")


class TestDeliveryId:
    def test_is_stable_for_an_event_and_a_subscription(self) -> None:
        assert delivery_id("ev-1", "sub-1") == delivery_id("ev-1", "sub-1")

    def test_differs_per_subscription_and_per_event(self) -> None:
        ids = {delivery_id(e, s) for e in ("ev-1", "ev-2") for s in ("sub-1", "sub-2")}
        assert len(ids) == 4

    def test_is_a_standard_webhooks_message_id(self) -> None:
        assert delivery_id("ev-1", "sub-1").startswith("msg_")


class TestRetryPolicy:
    def test_the_ceiling_doubles_from_the_base_up_to_the_cap(self) -> None:
        ceilings = [POLICY.ceiling(n) for n in range(1, 8)]
        assert ceilings == [30.0, 60.0, 120.0, 240.0, 480.0, 600.0, 600.0]

    def test_no_retry_once_the_attempts_are_spent(self) -> None:
        assert POLICY.retry_at(6, NOW, lambda: 0.5) is None
        assert POLICY.retry_at(5, NOW, lambda: 0.5) is not None

    def test_full_jitter_spans_zero_to_the_ceiling(self) -> None:
        assert POLICY.retry_at(3, NOW, lambda: 0.0) == NOW
        assert POLICY.retry_at(3, NOW, lambda: 0.999) == NOW + timedelta(seconds=120 * 0.999)

    @given(attempts=st.integers(1, 5), draw=st.floats(0.0, 1.0, exclude_max=True))
    def test_every_wait_lies_within_its_bounds(self, attempts: int, draw: float) -> None:
        retry_at = POLICY.retry_at(attempts, NOW, lambda: draw)
        assert retry_at is not None
        wait = (retry_at - NOW).total_seconds()
        assert 0.0 <= wait <= POLICY.ceiling(attempts) <= POLICY.cap_seconds

    def test_huge_attempt_counts_stay_at_the_cap(self) -> None:
        assert RetryPolicy(10_000, 30.0, 3600.0).ceiling(5000) == 3600.0

    @pytest.mark.parametrize("draw", [0.1, 0.9])
    def test_waits_use_the_draw_given(self, draw: float) -> None:
        retry_at = POLICY.retry_at(1, NOW, lambda: draw)
        assert retry_at == NOW + timedelta(seconds=30 * draw)
