#!/usr/bin/env bash
# The whole suite, as `make test` runs it: on SQLite, and on PostgreSQL for the tests marked
# both_databases. Without $DTLAB_TEST_POSTGRESQL a throwaway local server is started for the run
# (tools/pg_local.py) and stopped after; when none can be started its tests are skipped, unless
# $DTLAB_REQUIRE_POSTGRESQL is set (CI), when they fail. The wheel check runs alongside.
set -uo pipefail
BIN=${BIN:-.venv/bin}
pgdir=""
stop_pg() {
    if [ -n "$pgdir" ]; then
        "$BIN/python" tools/pg_local.py stop "$pgdir" || true
        rm -rf "$pgdir"
    fi
}
trap stop_pg EXIT
if [ -z "${DTLAB_TEST_POSTGRESQL:-}" ]; then
    pgdir=$(mktemp -d /tmp/dtlab-pg.XXXXXX)
    if url=$("$BIN/python" tools/pg_local.py start "$pgdir"); then
        export DTLAB_TEST_POSTGRESQL="$url"
        echo "PostgreSQL for the tests: $url" >&2
    else
        echo "no PostgreSQL server could be started: the tests on it are skipped" >&2
    fi
fi
log="${VENV:-.venv}/wheel-check.log"
"$BIN/python" tools/wheel_check.py > "$log" 2>&1 & wheel=$!
# Three test workers on two cores: Pilot tests spend part of their time waiting for the app to go
# idle, and a third worker fills that time.
"$BIN/python" -m pytest -n 3 --dist worksteal -q; tests=$?
wait $wheel; checked=$?
cat "$log"
[ $tests -eq 0 ] && [ $checked -eq 0 ]
