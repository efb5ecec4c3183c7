"""Money as integer centimes of MAD, rates as Decimal, and the one rounding rule."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True, order=True, slots=True)
class Money:
    """An amount in MAD, held as integer centimes so that no float ever touches it."""

    centimes: int

    def __post_init__(self) -> None:
        if not isinstance(self.centimes, int) or isinstance(self.centimes, bool):
            raise TypeError("Money holds integer centimes")

    @classmethod
    def mad(cls, amount: str | int | Decimal) -> Money:
        """Build from a MAD amount written as text or Decimal ("22.50"), exact to the centime."""
        value = Decimal(amount) * 100
        if value != value.to_integral_value():
            raise ValueError(f"{amount} MAD is not a whole number of centimes")
        return cls(int(value))

    def __add__(self, other: Money) -> Money:
        return Money(self.centimes + other.centimes)

    def __sub__(self, other: Money) -> Money:
        return Money(self.centimes - other.centimes)

    def __neg__(self) -> Money:
        return Money(-self.centimes)

    def times(self, factor: int | Decimal) -> Money:
        """Multiply by a quantity or coefficient, rounded by the house rule."""
        return Money(round_centimes(Decimal(self.centimes) * Decimal(factor)))

    def share(self, rate: Decimal) -> Money:
        """The part of this amount a rate pays, rounded by the house rule."""
        return self.times(rate)

    def as_decimal(self) -> Decimal:
        """The amount in MAD, for display and FHIR Money.value."""
        return Decimal(self.centimes) / 100


ZERO = Money(0)


def round_centimes(value: Decimal) -> int:
    """The single rounding rule: half up to the centime (payers round shares this way)."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
