"""Consumption far above one's peers (DOMAIN.md, "Claims and deadlines": fraud signals from
the data-mining of provider and insured consumption, e.g. a facility's caesarean rate far
above its peers'). Scores are worked by hand in each test's comments."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from domain.rules.anomalies import MAD_SCALE, Profile, Thresholds, flags

RATES = [20, 22, 24, 25, 26, 27, 28, 30, 31]  # nine clinics' caesarean rates, in percent
USUAL = Thresholds(score=Decimal("3.5"), min_peers=10, relative_excess=Decimal("0.2"))


def clinics(*extra: int, figure: str = "caesarean-rate", group: str = "clinic") -> list[Profile]:
    values = [*RATES, *extra]
    return [Profile(f"{group}-{i}", group, {figure: Decimal(v)}) for i, v in enumerate(values)]


class TestFarAboveThePeers:
    def test_a_facility_s_caesarean_rate_far_above_its_peers_is_flagged(self) -> None:
        # Ten rates: median (26 + 27) / 2 = 26.5; deviations' median (2.5 + 3.5) / 2 = 3.0;
        # 65 % scores 0.6745 × 38.5 / 3 = 8.656; the highest ordinary one, 31 %, 1.012.
        [flag] = flags(clinics(65), USUAL)
        assert (flag.subject, flag.figure, flag.value) == ("clinic-9", "caesarean-rate", 65)
        assert (flag.peer_median, flag.peers) == (Decimal("26.5"), 10)
        assert flag.score == MAD_SCALE * Decimal("38.5") / 3
        assert flag.reason == "consommation-atypique"

    def test_a_score_at_the_threshold_is_flagged_just_below_it_is_not(self) -> None:
        at = MAD_SCALE * Decimal("4.5") / 3  # 31 %'s score
        flagged = flags(clinics(65), Thresholds(at, 10, Decimal("0.2")))
        assert sorted(f.subject for f in flagged) == ["clinic-8", "clinic-9"]
        above = Thresholds(at + Decimal("0.0001"), 10, Decimal("0.2"))
        assert [f.subject for f in flags(clinics(65), above)] == ["clinic-9"]

    def test_too_few_peers_say_nothing(self) -> None:
        assert flags(clinics(65), Thresholds(Decimal("3.5"), 11, Decimal("0.2"))) == []
        assert len(flags(clinics(65), Thresholds(Decimal("3.5"), 10, Decimal("0.2")))) == 1

    def test_far_below_is_not_a_signal(self) -> None:
        assert flags(clinics(0), USUAL) == []

    def test_peer_groups_and_figures_are_never_mixed(self) -> None:
        mixed = [
            *clinics(figure="caesarean-rate"),
            Profile("h", "hospital", {"caesarean-rate": Decimal(65)}),
        ]
        assert flags(mixed, Thresholds(Decimal("3.5"), 1, Decimal("0.2"))) == []
        other = [*clinics(), Profile("x", "clinic", {"stay-days": Decimal(65)})]
        assert flags(other, Thresholds(Decimal("3.5"), 2, Decimal("0.2"))) == []

    def test_the_most_extreme_first(self) -> None:
        two_figures = clinics(65) + [
            Profile(f"c{i}", "clinic", {"stays": Decimal(v)}) for i, v in enumerate([*RATES, 200])
        ]
        found = flags(two_figures, USUAL)
        assert [f.figure for f in found] == ["stays", "caesarean-rate"]


class TestPeersWhoDoNotVary:
    def pharmacies(self, last: str) -> list[Profile]:
        return [Profile(f"p{i}", "pharmacy", {"refills": Decimal(5)}) for i in range(10)] + [
            Profile("p-last", "pharmacy", {"refills": Decimal(last)})
        ]

    def test_above_the_median_by_the_relative_excess_is_not_enough_beyond_it_is(self) -> None:
        assert flags(self.pharmacies("6"), USUAL) == []  # 6 = 5 × 1.2: not beyond
        [flag] = flags(self.pharmacies("6.01"), USUAL)
        assert (flag.subject, flag.score, flag.peer_median) == ("p-last", None, 5)
        assert (flag.figure, flag.peers, flag.value) == ("refills", 11, Decimal("6.01"))

    def test_every_one_beyond_is_flagged(self) -> None:
        two = [*self.pharmacies("9"), Profile("p-other", "pharmacy", {"refills": Decimal(8)})]
        assert [f.subject for f in flags(two, USUAL)] == ["p-last", "p-other"]

    def test_among_them_the_greatest_excess_first(self) -> None:
        big = [Profile(f"b{i}", "hospital", {"days": Decimal(100)}) for i in range(10)]
        small = [Profile(f"s{i}", "pharmacy", {"refills": Decimal(1)}) for i in range(10)]
        found = flags(
            [*big, Profile("b-up", "hospital", {"days": Decimal(125)}),
             *small, Profile("s-up", "pharmacy", {"refills": Decimal(40)})], USUAL,
        )  # fmt: skip
        assert [f.subject for f in found] == ["s-up", "b-up"]  # 39 above, then 25 above

    def test_scored_flags_come_before_those_of_peers_who_do_not_vary(self) -> None:
        found = flags([*clinics(65), *self.pharmacies("50")], USUAL)
        assert [f.subject for f in found] == ["clinic-9", "p-last"]

    def test_with_every_peer_at_zero_any_use_stands_out(self) -> None:
        idle = [Profile(f"p{i}", "pharmacy", {"refills": Decimal(0)}) for i in range(10)]
        [flag] = flags([*idle, Profile("busy", "pharmacy", {"refills": Decimal(1)})], USUAL)
        assert flag.subject == "busy"


@given(
    st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=40),
    st.integers(min_value=1, max_value=1000),
)
def test_flags_are_above_the_median_and_do_not_depend_on_the_unit(
    values: list[int], factor: int
) -> None:
    def profiles(scale: int) -> list[Profile]:
        return [Profile(str(i), "g", {"f": Decimal(v * scale)}) for i, v in enumerate(values)]

    low = Thresholds(Decimal(2), 1, Decimal("0.1"))
    found = flags(profiles(1), low)
    assert all(f.value > f.peer_median for f in found)
    assert [f.subject for f in flags(profiles(factor), low)] == [f.subject for f in found]
