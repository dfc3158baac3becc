#!/usr/bin/env bash
# Source this file: `neo4j_test_up` starts a Neo4j 5.26 test server on a free port,
# waits (up to 120 s) until the Python driver's verify_connectivity() succeeds, and
# exports LINKWATCH_TEST_NEO4J_URI; `neo4j_test_down` stops it and removes its data.
# On failure it prints the server log and returns non-zero.

NEO4J_TEST_HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

neo4j_test_up() {
    local python="${1:-python3}"
    local port
    port="$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
    NEO4J_TEST_DATADIR="$(mktemp -d "${TMPDIR:-/tmp}/linkwatch-neo4j.XXXXXX")"
    export NEO4J_TEST_DATADIR
    local t0=$SECONDS
    "$NEO4J_TEST_HERE/start.sh" "$port" "$NEO4J_TEST_DATADIR" >/dev/null || {
        echo "neo4j test server did not start (exit $?)" >&2
        cat "$NEO4J_TEST_DATADIR/neo4j.log" >&2 2>/dev/null
        return 1
    }
    if ! "$python" - "$port" <<'PY'
import sys, time
from neo4j import GraphDatabase
uri = f"bolt://127.0.0.1:{sys.argv[1]}"
deadline = time.monotonic() + 120
while True:
    try:
        with GraphDatabase.driver(uri, auth=None) as d:
            d.verify_connectivity()
        break
    except Exception as e:  # noqa: BLE001 - keep trying until the deadline
        if time.monotonic() > deadline:
            print(f"no Neo4j at {uri} after 120 s: {e}", file=sys.stderr)
            sys.exit(1)
        time.sleep(0.5)
PY
    then
        echo "---- neo4j log ----" >&2
        cat "$NEO4J_TEST_DATADIR/neo4j.log" >&2
        neo4j_test_down
        return 1
    fi
    export LINKWATCH_TEST_NEO4J_URI="bolt://127.0.0.1:$port"
    echo "Neo4j 5.26 test server ready at $LINKWATCH_TEST_NEO4J_URI in $((SECONDS - t0)) s (classpath build included)"
}

neo4j_test_down() {
    if [[ -n "${NEO4J_TEST_DATADIR:-}" && -d "$NEO4J_TEST_DATADIR" ]]; then
        "$NEO4J_TEST_HERE/stop.sh" "$NEO4J_TEST_DATADIR" >/dev/null 2>&1 || true
        rm -rf "$NEO4J_TEST_DATADIR"
    fi
}
