"""How many live cases there are in each (stage, status, region), kept by the database itself.

The dashboard's first figures are these counts. Counting a million cases over an index takes a
tenth of a second, every time `dtlab` starts; this table holds the answer, kept by triggers on
`cases` (in the dialect seam, `case_counts_triggers`) as every write, local or imported, lands,
so reading it takes the same time at any size. A case's region may be unknown: it is kept as ''
so that the three columns can be the key. Rows that fall to zero stay (a read skips them).

No SQLAlchemy here: the terminal UI reads the table before SQLAlchemy has loaded."""

from __future__ import annotations

TABLE_DDL = ("CREATE TABLE case_counts (stage VARCHAR NOT NULL, status VARCHAR NOT NULL, region VARCHAR NOT NULL, "
             "n INTEGER NOT NULL, PRIMARY KEY (stage, status, region))")  # i18n: not shown (SQL)
# Counts the cases already there, once, when the table is made.
FILL = ("INSERT INTO case_counts (stage, status, region, n) SELECT stage, status, coalesce(region, ''), count(*) "
        "FROM cases WHERE deleted_at IS NULL GROUP BY stage, status, coalesce(region, '')")  # i18n: not shown (SQL)
# (stage, status, region or None, n) as `figures.assemble` takes them.
READ = "SELECT stage, status, nullif(region, ''), n FROM case_counts WHERE n > 0"  # i18n: not shown (SQL)
