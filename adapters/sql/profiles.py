"""The payers' consumption figures computed in SQL (domain.authorization_ports.ProfileStore):
one GROUP BY per payer and kind of subject over the claim_line table, its rows streamed
(memory stays flat whatever the number of lines).

A line's payer is its claim's ledger entry's (the `benefits:<payer>` posting of the entry
`claim:<source>`); a claim reversed in the ledger is left out, as everywhere in the history.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import and_, distinct, func, literal, select
from sqlalchemy.orm import Session

from adapters.sql.claim_lines import _REVERSED, LINE
from adapters.sql.tables import LedgerPostingRow, ProviderRow
from domain.anomaly_flags import InsuredFigures, Period, ProviderFigures
from domain.ledger import benefits

POSTING = LedgerPostingRow.__table__
PROVIDER = ProviderRow.__table__
PHARMACY = "pharmacy"
_BATCH = 1000
_PREFIX = benefits("")


class SqlProfiles:
    """Profiles from the claim history; it never writes."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def payers(self) -> list[str]:
        """The payers with a benefits account: those that made a claim payable."""
        accounts = self._session.execute(
            select(POSTING.c.account).distinct().where(POSTING.c.account.startswith(_PREFIX))
        ).scalars()
        return sorted(str(a)[len(_PREFIX) :] for a in accounts)

    def providers(self, payer: str, period: Period) -> Iterator[ProviderFigures]:
        statement = (
            select(
                LINE.c.provider_id,
                PROVIDER.c.category,
                func.sum(LINE.c.benefit_centimes),
                func.count(),
                func.count(distinct(LINE.c.member_index)),
            )
            .select_from(_of_payer(payer).join(PROVIDER, PROVIDER.c.id == LINE.c.provider_id))
            .where(*_within(period))
            .group_by(LINE.c.provider_id, PROVIDER.c.category)
        )
        for row in self._stream(statement):
            yield ProviderFigures(str(row[0]), str(row[1]), int(row[2]), int(row[3]), int(row[4]))

    def insured(self, payer: str, period: Period) -> Iterator[InsuredFigures]:
        statement = (
            select(
                LINE.c.member_index,
                func.count(distinct(LINE.c.source)),
                func.count(distinct(LINE.c.provider_id)),
            )
            .select_from(_of_payer(payer).join(PROVIDER, PROVIDER.c.id == LINE.c.provider_id))
            .where(*_within(period), PROVIDER.c.category == PHARMACY)
            .group_by(LINE.c.member_index)
        )
        for row in self._stream(statement):
            yield InsuredFigures(str(row[0]), int(row[1]), int(row[2]))

    def _stream(self, statement: object) -> Iterator[tuple[object, ...]]:
        result = self._session.execute(
            statement.execution_options(yield_per=_BATCH)  # type: ignore[attr-defined]
        )
        for row in result:
            yield tuple(row)


def _of_payer(payer: str):  # type: ignore[no-untyped-def]
    """The lines joined to their claim's benefits posting of this payer."""
    entry = literal("claim:") + LINE.c.source
    return LINE.join(
        POSTING, and_(POSTING.c.entry_id == entry, POSTING.c.account == benefits(payer))
    )


def _within(period: Period) -> list[object]:
    return [
        LINE.c.service_date >= period.start,
        LINE.c.service_date <= period.end,
        ~_REVERSED,
    ]
