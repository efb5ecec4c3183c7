"""The decision codec shared through Redis."""

from __future__ import annotations

from decimal import Decimal

import orjson
from hypothesis import given
from hypothesis import strategies as st

from adapters.cache.codec import decode_decision, encode_decision
from domain.eligibility import Benefit, Candidate, EligibilityDecision, EligibilityStatus
from domain.members import Role
from tests.integration.builders import decision

_text = st.text(max_size=12)
_rates = st.decimals(min_value=0, max_value=1, places=4, allow_nan=False, allow_infinity=False)
_benefits = st.builds(Benefit, _text, _rates, _text, _text, st.booleans())
_candidates = st.builds(Candidate, _text, st.none() | _text, st.dates())
_decisions = st.builds(
    EligibilityDecision,
    status=st.sampled_from(EligibilityStatus),
    date_of_care=st.dates(),
    rules_version=_text,
    scheme=st.none() | _text,
    payer=st.none() | _text,
    role=st.none() | st.sampled_from(Role),
    member_id=st.none() | _text,
    coverage_start=st.none() | st.dates(),
    coverage_end=st.none() | st.dates(),
    reasons=st.lists(_text, max_size=3).map(tuple),
    benefits=st.lists(_benefits, max_size=3).map(tuple),
    ald_conditions=st.lists(_text, max_size=2).map(tuple),
    candidates=st.lists(_candidates, max_size=2).map(tuple),
)


class TestDecisionCodec:
    @given(_decisions)
    def test_round_trip_is_exact(self, original: EligibilityDecision) -> None:
        decoded = decode_decision(encode_decision(original))
        assert decoded == original
        assert [str(b.rate) for b in decoded.benefits] == [str(b.rate) for b in original.benefits]

    def test_rates_keep_their_written_precision(self) -> None:
        (benefit,) = decode_decision(encode_decision(decision())).benefits
        assert isinstance(benefit.rate, Decimal) and str(benefit.rate) == "0.70"

    def test_a_decision_cached_before_candidates_existed_has_none(self) -> None:
        raw = orjson.loads(encode_decision(decision()))
        del raw["candidates"]
        assert decode_decision(orjson.dumps(raw)).candidates == ()
