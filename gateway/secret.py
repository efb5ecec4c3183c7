"""A secret setting's value: kept out of every repr, str, log line and message."""

from __future__ import annotations

import hmac

HIDDEN = "**********"


class Secret:
    """A secret setting: its text never shows in a repr, a str, a log line or a message."""

    __slots__ = ("_value",)

    def __init__(self, value: str = "") -> None:
        self._value = value

    def get_secret_value(self) -> str:
        """The secret text, for the one line that hands it to a cipher or a signer."""
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return f"Secret({str(self)!r})"

    def __str__(self) -> str:
        return HIDDEN if self._value else ""

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> tuple[type[Secret], tuple[str]]:
        # uvicorn's workers receive the settings pickled over a pipe, never through a file.
        return (Secret, (self._value,))


NO_SECRET = Secret()  # an unset key (a Secret is never changed after it is made)
