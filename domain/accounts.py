"""People's accounts: the staff of a provider or of a payer, their roles and what each may do.

An organization is a registered provider (its tenant id) or a payer (CNSS, CNOPS). A person
acts for their organization only: the requester of every use case is the organization.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final

from domain.errors import Conflict, DomainError
from domain.records import Admission


class Side(StrEnum):
    """Which extranet a person uses: the provider portal or the payer console."""

    PROVIDER = "provider"
    PAYER = "payer"


class StaffRole(StrEnum):
    """A person's role in their organization."""

    DESK = "desk"  # admission clerk
    PHARMACIST = "pharmacist"
    ACCOUNTANT = "accountant"
    REVIEWER = "reviewer"  # the payer's medical reviewer
    FINANCE = "finance"
    ADMIN = "admin"


class Action(StrEnum):
    """What a person may do in the extranet."""

    CHECK_RIGHTS = "check-rights"
    REQUEST_PEC = "request-pec"
    SUBMIT_CLAIM = "submit-claim"
    FOLLOW_PAYMENTS = "follow-payments"
    REVIEW_REQUESTS = "review-requests"
    READ_ANOMALIES = "read-anomalies"
    APPROVE_BANK_CHANGES = "approve-bank-changes"
    FOLLOW_SETTLEMENTS = "follow-settlements"
    READ_STATISTICS = "read-statistics"
    MANAGE_USERS = "manage-users"


PAYERS: Final = ("CNSS", "CNOPS")  # the payer organizations (refdata/payers.csv)
ROLES: Final[dict[Side, frozenset[StaffRole]]] = {
    Side.PROVIDER: frozenset(
        {StaffRole.DESK, StaffRole.PHARMACIST, StaffRole.ACCOUNTANT, StaffRole.ADMIN}
    ),
    Side.PAYER: frozenset({StaffRole.REVIEWER, StaffRole.FINANCE, StaffRole.ADMIN}),
}
_A = Action
PERMISSIONS: Final[dict[tuple[Side, StaffRole], frozenset[Action]]] = {
    (Side.PROVIDER, StaffRole.DESK): frozenset({_A.CHECK_RIGHTS, _A.REQUEST_PEC}),
    # The pharmacist in charge (titulaire) runs the counter and follows what the payers owe:
    # in most pharmacies there is no accountant on the premises.
    (Side.PROVIDER, StaffRole.PHARMACIST): frozenset(
        {_A.CHECK_RIGHTS, _A.REQUEST_PEC, _A.SUBMIT_CLAIM, _A.FOLLOW_PAYMENTS}
    ),
    (Side.PROVIDER, StaffRole.ACCOUNTANT): frozenset({_A.SUBMIT_CLAIM, _A.FOLLOW_PAYMENTS}),
    (Side.PROVIDER, StaffRole.ADMIN): frozenset(
        {_A.CHECK_RIGHTS, _A.REQUEST_PEC, _A.SUBMIT_CLAIM, _A.FOLLOW_PAYMENTS, _A.MANAGE_USERS}
    ),
    (Side.PAYER, StaffRole.REVIEWER): frozenset(
        {_A.REVIEW_REQUESTS, _A.READ_ANOMALIES, _A.READ_STATISTICS}
    ),
    (Side.PAYER, StaffRole.FINANCE): frozenset(
        {_A.APPROVE_BANK_CHANGES, _A.FOLLOW_SETTLEMENTS, _A.READ_STATISTICS}
    ),
    (Side.PAYER, StaffRole.ADMIN): frozenset(
        {
            _A.REVIEW_REQUESTS,
            _A.READ_ANOMALIES,
            _A.FOLLOW_SETTLEMENTS,
            _A.READ_STATISTICS,
            _A.MANAGE_USERS,
        }
    ),
}
MIN_PASSWORD_LENGTH: Final = 12  # ANSSI's minimum for a password alone guarding an account
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,63}")


@dataclass(frozen=True, slots=True)
class Organization:
    """A provider (its tenant id) or a payer, as its people act for it."""

    id: str
    side: Side
    name: str
    admission: Admission | None = None  # a provider's: whom it may bill in tiers payant
    category: str = ""  # a provider's category (pharmacy, clinic, ...)
    inpe: str = ""  # a provider's INPE


@dataclass(frozen=True, slots=True)
class StaffUser:
    """One person's account; the password is kept only as its argon2id hash."""

    id: str
    org: str
    side: Side
    email: str
    role: StaffRole
    password_hash: str
    created: datetime
    totp_secret: str | None = None  # base32; None: no second factor
    active: bool = True
    locked_until: datetime | None = None  # too many failed sign-ins: refused until then


@dataclass(frozen=True, slots=True)
class StaffSession:
    """A signed-in person: the server keeps it under the hash of the cookie's random id."""

    user_id: str
    org: str
    side: Side
    role: StaffRole
    email: str
    created: datetime
    expires: datetime

    def may(self, action: Action) -> bool:
        """Whether the person's role allows the action."""
        return may(self.side, self.role, action)


def may(side: Side, role: StaffRole, action: Action) -> bool:
    """Whether a role of that side may take the action."""
    return action in PERMISSIONS.get((side, role), frozenset())


def normal_email(email: str) -> str:
    """The email as accounts are found by: trimmed, lower case."""
    return email.strip().lower()


def valid_email(email: str) -> bool:
    """Whether it looks like an email address (the account's login)."""
    return _EMAIL.fullmatch(email) is not None


class InvalidCredentials(DomainError):
    """Wrong email, password or one-time code: the message never says which."""

    code = "identifiants-invalides"


class NotPermitted(DomainError):
    """The person's role does not allow this action."""

    code = "action-non-permise"


class AccountExists(Conflict):
    """An account with that email exists already."""

    code = "compte-existant"
