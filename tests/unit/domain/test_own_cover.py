"""Own cover comes first: a family member insured in their own right is answered by that right.

cnss.ma « Qui peut en bénéficier ? » : « Sont également couverts, s'ils ne disposent pas à
titre personnel d'une couverture de même nature : le(s) conjoint(s) ; les enfants à charge ... ».
"""

from __future__ import annotations

from datetime import date

from domain.eligibility import EligibilityStatus as S
from domain.members import Affiliation, Member, Role
from domain.reference import ReferenceData
from domain.rules.rights import decide_eligibility
from tests.unit.domain.builders import affiliation, facts, member, salarie

CARE = date(2025, 6, 16)
HUSBAND = member(salarie(CARE), member_id="H")  # an insured salarié, rights open
LINK = Affiliation("AMO_SALARIES", Role.SPOUSE, date(2010, 1, 1), insured_id="H")


def wife(*own: Affiliation) -> Member:
    """The salarié's spouse, with her own affiliations besides the spouse's link."""
    return member(LINK, *own, member_id="W", birth=date(1985, 4, 2))


class TestOwnCoverFirst:
    def test_own_suspended_tns_cover_is_not_opened_by_the_link(self, ref: ReferenceData) -> None:
        """A spouse whose own TNS cover is suspended for arrears is answered by that cover,
        not made "open" through her husband's."""
        suspended = affiliation(
            "AMO_TNS",
            date(2022, 1, 1),
            first_payment=date(2022, 1, 3),
            suspended_from=date(2025, 3, 1),
        )
        decision = decide_eligibility([facts(wife(suspended), HUSBAND)], CARE, ref)
        assert decision.status is S.SUSPENDED
        assert (decision.scheme, decision.role) == ("AMO_TNS", Role.INSURED)

    def test_own_achamil_cover_in_its_stage_is_not_opened(self, ref: ReferenceData) -> None:
        """A spouse whose own Achamil cover is in its waiting period waits."""
        achamil = affiliation("AMO_ACHAMIL", date(2025, 5, 1), first_payment=date(2025, 5, 1))
        decision = decide_eligibility([facts(wife(achamil), HUSBAND)], CARE, ref)
        assert decision.status is S.WAITING_PERIOD
        assert decision.scheme == "AMO_ACHAMIL"

    def test_own_open_cover_answers(self, ref: ReferenceData) -> None:
        decision = decide_eligibility([facts(wife(affiliation("AMO_PUBLIC")), HUSBAND)], CARE, ref)
        assert (decision.status, decision.role, decision.payer) == (S.OPEN, Role.INSURED, "CNOPS")

    def test_own_cover_in_another_registry_comes_first(self, ref: ReferenceData) -> None:
        """The spouse's own record may come from another payer's file."""
        achamil = affiliation("AMO_ACHAMIL", date(2025, 5, 1), first_payment=date(2025, 5, 1))
        own = member(achamil, member_id="CNSS-W")
        decision = decide_eligibility([facts(wife(), HUSBAND), facts(own)], CARE, ref)
        assert decision.status is S.WAITING_PERIOD

    def test_a_spouse_without_own_cover_is_covered_by_the_link(self, ref: ReferenceData) -> None:
        decision = decide_eligibility([facts(wife(), HUSBAND)], CARE, ref)
        assert (decision.status, decision.role) == (S.OPEN, Role.SPOUSE)

    def test_an_own_cover_ended_long_ago_leaves_the_link(self, ref: ReferenceData) -> None:
        ended = affiliation("AMO_TNS", date(2021, 1, 1), end=date(2023, 1, 1))
        decision = decide_eligibility([facts(wife(ended), HUSBAND)], CARE, ref)
        assert (decision.status, decision.role) == (S.OPEN, Role.SPOUSE)

    def test_an_own_cover_not_yet_started_leaves_the_link(self, ref: ReferenceData) -> None:
        later = affiliation("AMO_TNS", date(2025, 7, 1))
        decision = decide_eligibility([facts(wife(later), HUSBAND)], CARE, ref)
        assert (decision.status, decision.role) == (S.OPEN, Role.SPOUSE)

    def test_an_own_cover_in_a_scheme_not_in_force_leaves_the_link(
        self, ref: ReferenceData
    ) -> None:
        before_tadamon = date(2022, 11, 30)
        husband = member(salarie(before_tadamon), member_id="H")
        early = affiliation("AMO_TADAMON", date(2022, 1, 1))
        decision = decide_eligibility([facts(wife(early), husband)], before_tadamon, ref)
        assert (decision.status, decision.role) == (S.OPEN, Role.SPOUSE)
