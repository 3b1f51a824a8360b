"""The schema revision this dtlab writes, alone in a module of its own: the terminal UI's first
page checks it before SQLAlchemy (or Alembic) is loaded."""

# The newest revision in migrations/versions; a test checks it against Alembic's own head.
SCHEMA_HEAD = "0021"
