"""Alembic environment: always run by dtlab.db.migrate with a live connection."""

from alembic import context
from sqlmodel import SQLModel

from dtlab.db import dialects, models  # noqa: F401  (models registers the tables on SQLModel.metadata)

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=dialects.of(connection).BATCH_MIGRATIONS,
)
with context.begin_transaction():
    context.run_migrations()
