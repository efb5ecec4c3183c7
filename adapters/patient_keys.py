"""domain.authorization_ports.PatientKey: the key a prise en charge records of its patient, a
blind index of the member id under a namespace of its own (a key never equals the one the
claim history keeps of the same member: the two tables cannot be joined on it)."""

from __future__ import annotations

from adapters.crypto import BlindIndex

PATIENT_KIND = "authorization-patient"


class BlindPatientKey:
    """The member id's keyed hash: the same member, the same key; the id never stored."""

    def __init__(self, index: BlindIndex) -> None:
        self._index = index

    def __call__(self, member_id: str) -> str:
        """The member's key."""
        return self._index.digest(PATIENT_KIND, member_id)
