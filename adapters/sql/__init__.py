"""SQL adapters (SQLite, PostgreSQL): engine, migrations, unit of work and repositories."""

from adapters.sql.audit import AuditStream, ChainReport, verify_chain
from adapters.sql.engine import is_database_error, make_engine, migrate
from adapters.sql.uow import SqlUnitOfWork, SqlUnitOfWorkFactory

__all__ = [
    "AuditStream",
    "ChainReport",
    "SqlUnitOfWork",
    "SqlUnitOfWorkFactory",
    "is_database_error",
    "make_engine",
    "migrate",
    "verify_chain",
]
