#!/usr/bin/env bash
# Bulk-load import files (from `linkwatch export neo4j-import OUT`) into the test
# server's data directory with Neo4j's own offline importer
# (`neo4j-admin database import full`), using the jars start.sh resolved.
#
#   tools/neo4j-test-server/import.sh DATADIR IMPORTDIR
#
# The server on DATADIR must be stopped; the database is replaced. Start it
# afterwards with start.sh PORT DATADIR. Env: NEO4J_IMPORT_HEAP (default 1g).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DATADIR="${1:?usage: import.sh DATADIR IMPORTDIR}"
IMPORTDIR="${2:?usage: import.sh DATADIR IMPORTDIR}"
mkdir -p "$DATADIR"
DATADIR="$(cd "$DATADIR" && pwd)"
if [[ -f "$DATADIR/neo4j.pid" ]] && kill -0 "$(cat "$DATADIR/neo4j.pid")" 2>/dev/null; then
    echo "import.sh: the server on $DATADIR is running; stop it first (stop.sh $DATADIR)" >&2
    exit 2
fi
CPFILE="$HERE/target/classpath.txt"
if [[ ! -s "$CPFILE" ]]; then
    echo "import.sh: no classpath yet; run start.sh once (it resolves the Neo4j jars with Maven)" >&2
    exit 4
fi
[[ -f "$IMPORTDIR/import.args" ]] || { echo "import.sh: $IMPORTDIR/import.args not found" >&2; exit 2; }
cd "$IMPORTDIR"
mapfile -t ARGS < import.args
NEO4J_HOME="$DATADIR" java "-Xmx${NEO4J_IMPORT_HEAP:-1g}" -cp "$(cat "$CPFILE")" org.neo4j.cli.AdminTool \
    database import full --overwrite-destination "${ARGS[@]}" neo4j
