"""The stored shape of a member's facts: the same text whatever writes it, and read back whole."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

import orjson
from hypothesis import given
from hypothesis import strategies as st

from adapters.sql.member_codec import decode_member, encode_facts
from domain.members import (
    Affiliation,
    AldGrant,
    ContributionMonth,
    DependantFacts,
    Member,
    Role,
)

days = st.dates(min_value=date(1930, 1, 1), max_value=date(2040, 12, 31))
maybe_day = st.none() | days
codes = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789", min_size=1, max_size=12)
affiliations = st.builds(
    Affiliation,
    scheme=codes,
    role=st.sampled_from(Role),
    start=days,
    end=maybe_day,
    insured_id=st.none() | codes,
    contributions=st.lists(
        st.builds(ContributionMonth, month=days, working_days=st.integers(0, 31)), max_size=14
    ).map(tuple),
    first_payment=maybe_day,
    suspended_from=maybe_day,
    suspended_until=maybe_day,
    transferred_from=st.none() | codes,
)
dependants = st.builds(
    DependantFacts,
    student_until=maybe_day,
    married=st.booleans(),
    disabled=st.booleans(),
    married_on=maybe_day,
)
members = st.builds(
    Member,
    member_id=codes,
    birth_date=days,
    affiliations=st.lists(affiliations, min_size=1, max_size=3).map(tuple),
    ald=st.lists(st.builds(AldGrant, condition=codes, start=days, end=maybe_day), max_size=2).map(
        tuple
    ),
    dependant=st.none() | dependants,
    version=st.just(1),
)


@given(members)
def test_facts_are_the_text_of_every_field_of_the_dataclasses(member: Member) -> None:
    """The text stored since the first version: the dataclasses as orjson writes them."""
    as_dataclasses = {
        "birth_date": member.birth_date,
        "affiliations": member.affiliations,
        "ald": member.ald,
        "dependant": member.dependant,
    }
    assert encode_facts(member) == orjson.dumps(as_dataclasses).decode()


@given(members)
def test_facts_read_back_into_the_same_member(member: Member) -> None:
    assert decode_member(member.member_id, member.version, encode_facts(member)) == member


def test_every_field_of_an_affiliation_is_written() -> None:
    """A field added to the dataclass and forgotten by the encoder would be lost silently."""
    affiliation = Affiliation("AMO_SALARIES", Role.INSURED, date(2020, 1, 1))
    member = Member("M-1", date(1990, 1, 1), (affiliation,), dependant=DependantFacts())
    facts = orjson.loads(encode_facts(member))
    assert set(facts["affiliations"][0]) == set(asdict(affiliation))
    assert set(facts["dependant"]) == set(asdict(DependantFacts()))
