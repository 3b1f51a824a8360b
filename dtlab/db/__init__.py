"""Storage: SQLModel tables, the change log, migrations, reference data and the queries the
command line and the screens use. Never imports Textual."""
