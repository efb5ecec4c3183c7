"""A payer's anomaly flags in SQL (domain.authorization_ports.AnomalyFlagRepository): rule
flags inserted with their claim, statistical flags replaced per payer by the profiling job
(delete then insert, in the job's transaction: one current row per subject and figure)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import Row, delete, func, select
from sqlalchemy.orm import Session

from adapters.sql.bulk import insert_rows
from adapters.sql.reads import SqlReads
from adapters.sql.tables import AnomalyFlagRow
from domain.anomaly_flags import AnomalyFlag, Figure, FlagKind, FlagQuery, SubjectKind

FLAG = AnomalyFlagRow.__table__


class SqlAnomalyFlags:
    """The anomaly_flag table; it never commits."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add_many(self, flags: Sequence[AnomalyFlag]) -> None:
        if flags:
            insert_rows(self._session.connection(), FLAG, [_row(flag) for flag in flags])

    def replace_statistical(self, payer: str, flags: Sequence[AnomalyFlag]) -> None:
        self._session.execute(
            delete(FLAG).where(FLAG.c.payer == payer, FLAG.c.kind == FlagKind.STATISTICAL.value)
        )
        self.add_many(flags)

    def search(self, query: FlagQuery) -> tuple[list[AnomalyFlag], int]:
        where = [FLAG.c.payer == query.payer]
        if query.codes:
            where.append(FLAG.c.code.in_(query.codes))
        if query.provider is not None:
            where.append(FLAG.c.subject_kind == SubjectKind.PROVIDER.value)
            where.append(FLAG.c.subject == query.provider)
        if query.at_from is not None:
            where.append(FLAG.c.at >= query.at_from)
        if query.at_to is not None:
            where.append(FLAG.c.at < query.at_to)
        total = self._session.execute(select(func.count()).select_from(FLAG).where(*where))
        rows = self._session.execute(
            select(FLAG)
            .where(*where)
            .order_by(FLAG.c.at.desc(), FLAG.c.id)
            .limit(query.limit)
            .offset(query.offset)
        ).all()
        return [_flag(row) for row in rows], int(total.scalar_one())

    def get(self, payer: str, flag_id: str) -> AnomalyFlag | None:
        row = self._session.execute(
            select(FLAG).where(FLAG.c.id == flag_id, FLAG.c.payer == payer)
        ).first()
        return None if row is None else _flag(row)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _row(flag: AnomalyFlag) -> dict[str, object]:
    figure = flag.figure
    return {
        "id": flag.id,
        "payer": flag.payer,
        "kind": flag.kind.value,
        "code": flag.code,
        "subject_kind": flag.subject_kind.value,
        "subject": flag.subject,
        "at": flag.at,
        "claim_source": flag.claim_source,
        "claim_request_id": flag.claim_request_id,
        "sequence": flag.sequence,
        "value": None if figure is None else _text(figure.value),
        "peer_median": None if figure is None else _text(figure.peer_median),
        "peers": None if figure is None else figure.peers,
        "score": None if figure is None else _text(figure.score),
        "period_start": None if figure is None else figure.period_start,
        "period_end": None if figure is None else figure.period_end,
    }


def _flag(row: Row[tuple[object, ...]]) -> AnomalyFlag:
    m = row._mapping
    figure = None
    if m["value"] is not None:
        figure = Figure(
            value=Decimal(m["value"]),
            peer_median=Decimal(m["peer_median"]),
            peers=int(m["peers"]),
            score=None if m["score"] is None else Decimal(m["score"]),
            period_start=m["period_start"],
            period_end=m["period_end"],
        )
    return AnomalyFlag(
        id=m["id"],
        payer=m["payer"],
        kind=FlagKind(m["kind"]),
        code=m["code"],
        subject_kind=SubjectKind(m["subject_kind"]),
        subject=m["subject"],
        at=m["at"],
        claim_source=m["claim_source"],
        claim_request_id=m["claim_request_id"],
        sequence=m["sequence"],
        figure=figure,
    )


class SqlFlagReader:
    """domain.services.anomalies.FlagReader: the flags read in worker threads."""

    def __init__(self, reads: SqlReads) -> None:
        self._reads = reads

    async def search(self, query: FlagQuery) -> tuple[list[AnomalyFlag], int]:
        return await self._reads.run(lambda uow: uow.anomaly_flags.search(query))

    async def get(self, payer: str, flag_id: str) -> AnomalyFlag | None:
        return await self._reads.run(lambda uow: uow.anomaly_flags.get(payer, flag_id))
