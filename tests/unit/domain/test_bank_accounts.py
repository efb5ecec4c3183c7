"""Providers' bank accounts: the RIB's key, its IBAN, and a change approved by two users."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.bank_accounts import (
    InvalidRib,
    NoPendingChange,
    SameApprover,
    approve,
    parse_rib,
    propose,
    rib_key,
    rib_of_iban,
)

AT = datetime(2026, 11, 2, 9, tzinfo=UTC)
# The IBAN registry's example for Morocco (SWIFT IBAN Registry, release 100).
REGISTRY_IBAN = "MA64011519000001205000534921"
REGISTRY_RIB = "011519000001205000534921"


class TestRibKey:
    def test_registry_example_key(self) -> None:
        assert rib_key("011", "519", "0000012050005349") == "21"

    def test_key_makes_the_whole_number_a_multiple_of_97(self) -> None:
        for account in ("0000000000000000", "9999999999999999", "1234567890123456"):
            key = rib_key("230", "780", account)
            assert int(f"230780{account}{key}") % 97 == 0

    def test_key_of_zero_remainder_is_97(self) -> None:
        # 97 divides 230780 * 10^18 + account * 100 for this account: the key is 97, not 00.
        account = next(f"{n:016d}" for n in range(200) if (51 * 230 + 89 * 780 + 3 * n) % 97 == 0)
        assert rib_key("230", "780", account) == "97"

    def test_letters_count_as_their_rib_digit(self) -> None:
        assert rib_key("011", "519", "00000120500053AB") == rib_key(
            "011", "519", "0000012050005312"
        )
        assert rib_key("011", "519", "000001205000SJRZ") == rib_key(
            "011", "519", "0000012050002199"
        )


class TestParseRib:
    def test_registry_rib_with_spaces(self) -> None:
        rib = parse_rib("011 519 0000012050005349 21")
        assert (rib.bank, rib.city, rib.account) == ("011", "519", "0000012050005349")
        assert rib.iban == REGISTRY_IBAN

    @pytest.mark.parametrize(
        "text",
        [
            REGISTRY_RIB[:-1],  # 23 characters
            REGISTRY_RIB + "0",  # 25
            "A" + REGISTRY_RIB[1:],  # a letter in the bank code
            REGISTRY_RIB[:-2] + "22",  # wrong key
            REGISTRY_RIB[:-2] + "2X",
            "",
            "011519000001205000534٢21"[:24],  # a non-Latin digit
        ],
    )
    def test_invalid(self, text: str) -> None:
        with pytest.raises(InvalidRib):
            parse_rib(text)

    def test_every_single_digit_error_is_caught(self) -> None:
        for i in range(24):
            for digit in "0123456789":
                if digit == REGISTRY_RIB[i]:
                    continue
                with pytest.raises(InvalidRib):
                    parse_rib(REGISTRY_RIB[:i] + digit + REGISTRY_RIB[i + 1 :])


class TestIban:
    def test_iban_round_trip(self) -> None:
        assert rib_of_iban("MA64 0115 1900 0001 2050 0053 4921").value == REGISTRY_RIB

    @pytest.mark.parametrize(
        "text", ["MA65011519000001205000534921", "FR64011519000001205000534921", "MA64"]
    )
    def test_invalid_iban(self, text: str) -> None:
        with pytest.raises(InvalidRib):
            rib_of_iban(text)


class TestAccountChange:
    def test_second_user_approves(self) -> None:
        change = propose("c1", "INPE1", parse_rib(REGISTRY_RIB), by="alice", at=AT)
        assert not change.approved
        done = approve(change, by="bob", at=AT)
        assert done.approved and done.approved_by == "bob"

    def test_proposer_cannot_approve(self) -> None:
        change = propose("c1", "INPE1", parse_rib(REGISTRY_RIB), by="alice", at=AT)
        with pytest.raises(SameApprover):
            approve(change, by=" alice ", at=AT)

    def test_approved_change_is_not_approved_again(self) -> None:
        change = approve(
            propose("c1", "INPE1", parse_rib(REGISTRY_RIB), by="alice", at=AT), by="bob", at=AT
        )
        with pytest.raises(NoPendingChange):
            approve(change, by="carol", at=AT)

    def test_the_holders_name_is_kept_trimmed_and_bounded(self) -> None:
        rib = parse_rib(REGISTRY_RIB)
        change = propose("c1", "INPE1", rib, by="alice", at=AT, holder=" Pharmacie Atlas ")
        assert change.holder == "Pharmacie Atlas"
        assert approve(change, by="bob", at=AT).holder == "Pharmacie Atlas"
        with pytest.raises(InvalidRib):
            propose("c1", "INPE1", rib, by="alice", at=AT, holder="x" * 141)
