#!/usr/bin/env bash
# Stop a server started by start.sh:  tools/neo4j-test-server/stop.sh DATADIR
# Sends SIGTERM (clean Neo4j shutdown via the JVM shutdown hook), waits up to
# NEO4J_TEST_STOP_TIMEOUT seconds (default 30), then SIGKILLs.
set -euo pipefail

DATADIR="${1:-}"
if [[ -z "$DATADIR" ]]; then
    echo "usage: stop.sh DATADIR" >&2
    exit 2
fi
PIDFILE="$DATADIR/neo4j.pid"
if [[ ! -f "$PIDFILE" ]]; then
    echo "stop.sh: no pid file at $PIDFILE; nothing to stop" >&2
    exit 0
fi
PID="$(cat "$PIDFILE")"
if ! kill -0 "$PID" 2>/dev/null; then
    echo "stop.sh: pid $PID not running"
    rm -f "$PIDFILE"
    exit 0
fi

kill -TERM "$PID"
timeout="${NEO4J_TEST_STOP_TIMEOUT:-30}"
for ((i = 0; i < timeout * 10; i++)); do
    if ! kill -0 "$PID" 2>/dev/null; then
        rm -f "$PIDFILE"
        echo "stop.sh: neo4j (pid $PID) stopped"
        exit 0
    fi
    sleep 0.1
done
echo "stop.sh: pid $PID still alive after ${timeout}s; sending SIGKILL" >&2
kill -KILL "$PID" 2>/dev/null || true
for ((i = 0; i < 50; i++)); do
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.1
done
rm -f "$PIDFILE"
echo "stop.sh: neo4j (pid $PID) killed"
