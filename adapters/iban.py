"""A second opinion on an IBAN, from schwifty's registry (country format, bank codes, check
digits), besides the domain's own RIB key check."""

from __future__ import annotations

import warnings

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from domain.bank_accounts import InvalidRib, Rib


def checked(rib: Rib) -> Rib:
    """The RIB, once schwifty accepts its IBAN; InvalidRib otherwise."""
    try:
        with warnings.catch_warnings():
            # schwifty has no national check for MA and says so: the domain's RIB key is it.
            warnings.simplefilter("ignore")
            IBAN(rib.iban, validate_bban=True)
    except SchwiftyException as exc:
        raise InvalidRib(f"IBAN {rib.iban} refusé : {exc}") from exc
    return rib
