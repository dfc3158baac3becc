#!/usr/bin/env bash
# Start a throwaway embedded Neo4j 5.26 Community server (Bolt only, no auth)
# on 127.0.0.1 without Docker.
#
#   tools/neo4j-test-server/start.sh [PORT] [DATADIR]
#
# Defaults: PORT=7687, DATADIR=$(mktemp -d). Returns immediately; the server
# runs in the background. Wait for it with the driver's verify_connectivity()
# (or for the "READY bolt://127.0.0.1:PORT" line in $DATADIR/neo4j.log).
# Stop it with tools/neo4j-test-server/stop.sh DATADIR.
#
# Env: NEO4J_TEST_JAVA_OPTS   extra JVM options (appended)
#      NEO4J_TEST_HEAP        max heap (default 768m)
#      NEO4J_TEST_PAGECACHE_MB page cache size in MiB (default 96)
# Exit codes: 0 started, 2 bad usage/already running, 3 java/mvn missing,
#             4 classpath build failed, 5 java exited immediately,
#             6 port already in use.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PORT="${1:-7687}"
DATADIR="${2:-}"

if ! [[ "$PORT" =~ ^[0-9]+$ ]]; then
    echo "start.sh: PORT must be a number, got '$PORT'" >&2
    exit 2
fi

for tool in java mvn; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "start.sh: '$tool' not found on PATH; need a JDK 17+ (java) and Maven (mvn) to run the Neo4j test server" >&2
        exit 3
    fi
done

java_major="$(java -version 2>&1 | sed -n 's/.* version "\([0-9]*\).*/\1/p' | head -n 1)"
if [[ -n "$java_major" && "$java_major" -lt 17 ]]; then
    echo "start.sh: Neo4j 5.26 needs Java 17+, but 'java' is version $java_major" >&2
    exit 3
fi

if [[ -z "$DATADIR" ]]; then
    DATADIR="$(mktemp -d "${TMPDIR:-/tmp}/neo4j-test.XXXXXX")"
fi
mkdir -p "$DATADIR"
DATADIR="$(cd "$DATADIR" && pwd)"
PIDFILE="$DATADIR/neo4j.pid"
LOG="$DATADIR/neo4j.log"

if [[ -f "$PIDFILE" ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
    echo "start.sh: already running with pid $(cat "$PIDFILE") (data dir $DATADIR)" >&2
    exit 2
fi

# Fail fast if something already listens on the port (Neo4j would only find
# out after ~5 s of start-up).
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
    echo "start.sh: port $PORT on 127.0.0.1 is already in use" >&2
    exit 6
fi

# Resolve Neo4j + APOC into ~/.m2 and cache the classpath. Rebuilt when the
# pom changes (or the cache is missing / a jar was removed from ~/.m2).
TARGET="$HERE/target"
CPFILE="$TARGET/classpath.txt"
mkdir -p "$TARGET"
need_cp=0
if [[ ! -s "$CPFILE" || "$HERE/pom.xml" -nt "$CPFILE" ]]; then
    need_cp=1
else
    first_jar="$(cut -d: -f1 "$CPFILE")"
    [[ -f "$first_jar" ]] || need_cp=1
fi
if [[ $need_cp -eq 1 ]]; then
    echo "start.sh: resolving Neo4j classpath with Maven (first run downloads ~150 MB into ~/.m2)..."
    tmpcp="$CPFILE.tmp.$$"
    if ! mvn -q -B -f "$HERE/pom.xml" dependency:build-classpath \
            -Dmdep.outputFile="$tmpcp" -Dmdep.includeScope=runtime >"$TARGET/mvn.log" 2>&1; then
        echo "start.sh: Maven classpath build failed; see $TARGET/mvn.log" >&2
        tail -n 30 "$TARGET/mvn.log" >&2 || true
        rm -f "$tmpcp"
        exit 4
    fi
    mv -f "$tmpcp" "$CPFILE"
fi

# Launcher.java runs fine as a single-file source program, but compiling it
# on every start costs ~2 s; when javac is available cache the .class file.
CLASSES="$TARGET/classes"
MAIN=("$HERE/Launcher.java")
LAUNCH_CP="$(cat "$CPFILE")"
if command -v javac >/dev/null 2>&1; then
    if [[ ! -f "$CLASSES/Launcher.class" || "$HERE/Launcher.java" -nt "$CLASSES/Launcher.class" \
          || "$CPFILE" -nt "$CLASSES/Launcher.class" ]]; then
        # Compile into a private dir and rename, so concurrent start.sh runs
        # never see a half-written class file.
        tmpcls="$(mktemp -d "$TARGET/classes.tmp.XXXXXX")"
        if javac -proc:none -nowarn -d "$tmpcls" -cp "$LAUNCH_CP" "$HERE/Launcher.java" >"$tmpcls.log" 2>&1; then
            mkdir -p "$CLASSES"
            mv -f "$tmpcls/Launcher.class" "$CLASSES/Launcher.class"
        else  # never run a stale class: say why, and let the source run (and fail) as it is
            cat "$tmpcls.log" >&2
            rm -f "$CLASSES/Launcher.class"
        fi
        rm -rf "$tmpcls" "$tmpcls.log"
    fi
    if [[ -f "$CLASSES/Launcher.class" ]]; then
        MAIN=(Launcher)
        LAUNCH_CP="$CLASSES:$LAUNCH_CP"
    fi
fi

JAVA_OPTS=(
    "-Xmx${NEO4J_TEST_HEAP:-768m}"
    -XX:+UseG1GC
    -XX:-OmitStackTraceInFastThrow
    -XX:+ExitOnOutOfMemoryError
    "-Dneo4j.pagecache.mb=${NEO4J_TEST_PAGECACHE_MB:-96}"
    --add-opens java.base/java.nio=ALL-UNNAMED
    --add-opens java.base/java.io=ALL-UNNAMED
    --add-opens java.base/sun.nio.ch=ALL-UNNAMED
    --add-opens java.base/java.util.concurrent=ALL-UNNAMED
    --add-opens java.base/java.lang=ALL-UNNAMED
    --add-opens java.base/java.util=ALL-UNNAMED
    --add-opens java.base/java.net=ALL-UNNAMED
    --add-exports java.base/jdk.internal.misc=ALL-UNNAMED
    --add-exports java.base/sun.nio.ch=ALL-UNNAMED
    -Dio.netty.tryReflectionSetAccessible=true
)
# shellcheck disable=SC2206
EXTRA_OPTS=(${NEO4J_TEST_JAVA_OPTS:-})

cd "$DATADIR"
java "${JAVA_OPTS[@]}" "${EXTRA_OPTS[@]}" \
    -cp "$LAUNCH_CP" "${MAIN[@]}" "$PORT" "$DATADIR" \
    </dev/null >"$LOG" 2>&1 &
PID=$!
echo "$PID" >"$PIDFILE"

sleep 0.2
if ! kill -0 "$PID" 2>/dev/null; then
    echo "start.sh: java exited immediately; log follows ($LOG)" >&2
    cat "$LOG" >&2 || true
    exit 5
fi

echo "NEO4J_PID=$PID"
echo "NEO4J_DATADIR=$DATADIR"
echo "NEO4J_LOG=$LOG"
echo "NEO4J_URI=bolt://127.0.0.1:$PORT"
