#!/usr/bin/env bash
# Wheel smoke test: is the installed package whole?
#
# Builds linkwatch's wheel from the files a clean clone has (tracked files plus new ones
# not ignored; never a stale build/ folder), installs it into a fresh virtual environment
# outside the checkout, and from another folder (so the checkout is not importable) runs
# `linkwatch demo`, makes tokens, starts `linkwatch serve` on a free 127.0.0.1 port and
# fetches the pages, a static asset, the vendored assets of /docs and /redoc, the saved-query
# list (every file of queries/library must be there), a saved query's run and one ad-hoc
# Cypher query (run by the sandbox worker, `python -m graph.sandbox`, from site-packages).
#
#   tools/wheel-smoke.sh            PYTHON=python3.11 tools/wheel-smoke.sh
#   KEEP=1 tools/wheel-smoke.sh     keep the temporary folder (its path is printed)
#
# Needs Python 3.11+ with venv and network access to the package index (the wheel's
# dependencies). Prints PASS/FAIL lines; exits non-zero on the first failure.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
T0=$SECONDS
TMP="$(mktemp -d "${TMPDIR:-/tmp}/linkwatch-wheel-smoke.XXXXXX")"
SERVER_PID=""

cleanup() {
    local rc=$?
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
        kill -9 "$SERVER_PID" 2>/dev/null || true
    fi
    if [[ $rc -ne 0 && -f "$TMP/server.log" ]]; then
        echo "---- server log (last 40 lines) ----"
        tail -n 40 "$TMP/server.log" || true
    fi
    if [[ -n "${KEEP:-}" ]]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
    if [[ $rc -eq 0 ]]; then echo "PASS wheel smoke test ($((SECONDS - T0)) s)"
    else echo "FAIL wheel smoke test ($((SECONDS - T0)) s)"; fi
}
trap cleanup EXIT

pass() { echo "PASS $* ($((SECONDS - T0)) s)"; }
fail() { echo "FAIL $*" >&2; exit 1; }

"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || fail "needs Python 3.11+ (set PYTHON)"

echo "== source: the files a clean clone has, copied to $TMP/src"
mkdir -p "$TMP/src" "$TMP/dist" "$TMP/run"
(
    cd "$ROOT"
    git ls-files -z --cached --others --exclude-standard \
        | while IFS= read -r -d '' f; do [[ -f "$f" ]] && printf '%s\0' "$f"; done \
        | tar --null -T - -cf - | tar -xf - -C "$TMP/src"
)

echo "== fresh virtual environment outside the checkout: $TMP/venv"
"$PYTHON" -m venv "$TMP/venv"
PY="$TMP/venv/bin/python"
"$PY" -m pip install -q --upgrade pip >"$TMP/pip.log" 2>&1 || { cat "$TMP/pip.log"; fail "pip upgrade"; }

echo "== build the wheel"
"$PY" -m pip wheel -q --no-deps -w "$TMP/dist" "$TMP/src" >"$TMP/build.log" 2>&1 \
    || { cat "$TMP/build.log"; fail "pip wheel"; }
WHEEL="$(ls "$TMP"/dist/linkwatch-*.whl)"
pass "wheel built: $(basename "$WHEEL"), $(du -k "$WHEEL" | cut -f1) KiB"
# every file of the packages' folders that is not Python source is data the code reads (the
# detectors' .sql and .cypher query files among them)
"$PY" - "$WHEEL" "$TMP/src" <<'PYEOF'
import sys, zipfile
from pathlib import Path

wheel, src = sys.argv[1], Path(sys.argv[2])
have = set(zipfile.ZipFile(wheel).namelist())
data = sorted(
    str(p.relative_to(src))
    for pkg in ("api", "graph", "ingest", "queries", "synthetic", "viz")
    for p in (src / pkg).rglob("*")
    if p.is_file() and p.suffix != ".py" and "__pycache__" not in p.parts
)
missing = [f for f in data if f not in have]
if missing:
    print(f"FAIL the wheel lacks {len(missing)} of the packages' {len(data)} data files:", *missing[:20], sep="\n  ")
    sys.exit(1)
print(f"PASS the wheel has all {len(data)} data files of the packages")
PYEOF

echo "== install it"
"$PY" -m pip install -q "$WHEEL" >"$TMP/install.log" 2>&1 || { cat "$TMP/install.log"; fail "pip install"; }
cd "$TMP/run"  # not the checkout: only the installed package can be imported
where="$("$PY" -c 'import api, graph, ingest, queries, synthetic, viz, os; print(os.path.dirname(viz.__file__))')"
[[ "$where" == "$TMP/venv/"* ]] || fail "viz imported from $where, not from the virtual environment"
pass "installed; packages import from $where"

echo "== linkwatch demo"
DATA="$TMP/data"
LW="$TMP/venv/bin/linkwatch"
env -u LINKWATCH_PURPOSE -u LINKWATCH_STORE -u LINKWATCH_LAUNCHER \
    "$LW" demo --data-dir "$DATA" --officers 150 --days 45 --seed 4 >"$TMP/demo.log" 2>&1 \
    || { tail -n 30 "$TMP/demo.log"; fail "linkwatch demo"; }
[[ -s "$DATA/demo/flags.csv" ]] || fail "the demo wrote no flags.csv"
pass "linkwatch demo: $(($(wc -l <"$DATA/demo/flags.csv") - 1)) flags"

INVESTIGATOR="$("$LW" token create --user ivy --role investigator --data-dir "$DATA")"
ANALYST="$("$LW" token create --user abe --role analyst --data-dir "$DATA")"
pass "tokens made (investigator, analyst)"

echo "== linkwatch serve"
PORT="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
URL="http://127.0.0.1:$PORT"
env -u LINKWATCH_STORE LINKWATCH_DATA_DIR="$DATA" "$LW" serve --host 127.0.0.1 --port "$PORT" \
    >"$TMP/server.log" 2>&1 &
SERVER_PID=$!

export URL SERVER_PID INVESTIGATOR ANALYST LIBRARY="$TMP/src/queries/library"
"$PY" - <<'PYEOF'
"""The HTTP checks, with the installed package's own Python (standard library and PyYAML)."""

import html.parser
import json
import os
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import yaml

URL = os.environ["URL"]
T0 = time.monotonic()


def fail(msg: str) -> None:
    print(f"FAIL {msg}", flush=True)
    sys.exit(1)


def ok(msg: str) -> None:
    print(f"PASS {msg}", flush=True)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def get(path: str, headers: dict[str, str] | None = None, follow: bool = True, data: bytes | None = None):
    req = urllib.request.Request(URL + path, headers=headers or {}, data=data)
    opener = urllib.request.build_opener() if follow else urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(req, timeout=60) as r:
            return r.status, r.headers, r.read(), r.url
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read(), URL + path


def expect(path: str, ctype: str | tuple[str, ...], **kw) -> bytes:  # type: ignore[no-untyped-def]
    status, headers, body, _ = get(path, **kw)
    got = headers.get("content-type", "")
    if status != 200 or not got.startswith(ctype) or not body:
        fail(f"GET {path}: {status} {got} {body[:300]!r}")
    ok(f"GET {path}: 200 {got}, {len(body)} bytes")
    return body


# the server is up
def running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][:1] != "Z"
    except ProcessLookupError:
        return False
    except OSError:  # no /proc: trust kill
        return True


deadline = time.monotonic() + 90
while True:
    try:
        with urllib.request.urlopen(URL + "/health", timeout=2) as r:
            if r.status == 200:
                break
    except OSError:
        pass
    if not running(int(os.environ["SERVER_PID"])):
        fail("the server stopped before it answered /health")
    if time.monotonic() > deadline:
        fail("the server did not answer /health within 90 s")
    time.sleep(0.3)
ok(f"GET /health: 200 after {time.monotonic() - T0:.1f} s")

# the pages: signed out, /ui/ sends you to the sign-in page, which renders
status, headers, _, _ = get("/ui/", follow=False)
if status not in (302, 303, 307) or "/ui/login" not in headers.get("location", ""):
    fail(f"GET /ui/ signed out: {status} {headers.get('location')}, not a redirect to /ui/login")
status, headers, body, final = get("/ui/")
if status != 200 or "/ui/login" not in final or b'name="token"' not in body:
    fail(f"GET /ui/ → {final}: {status}, not the sign-in page")
ok("GET /ui/ signed out: redirected to the sign-in page, 200")
cookies = f"linkwatch_token={os.environ['INVESTIGATOR']}; linkwatch_purpose=wheel smoke test"
page = expect("/ui/", "text/html", headers={"Cookie": cookies})
if b"/static/linkwatch.css" not in page:
    fail("the signed-in page does not link /static/linkwatch.css")
expect("/ui/queries", "text/html", headers={"Cookie": cookies})

# static assets: the project's own and vis-network (from the pyvis package)
expect("/static/linkwatch.css", "text/css")
JS = ("application/javascript", "text/javascript")
expect("/static/linkwatch.js", JS)
expect("/vendor/vis-network.min.js", JS)


# the OpenAPI pages and every asset they load, all from this server
class Assets(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "script" and a.get("src"):
            self.urls.append(a["src"] or "")
        if tag == "link" and a.get("href"):
            self.urls.append(a["href"] or "")


TYPES = {".js": JS, ".css": ("text/css",), ".png": ("image/png",)}
for doc in ("/docs", "/redoc"):
    body = expect(doc, "text/html")
    p = Assets()
    p.feed(body.decode())
    if not p.urls or any(not u.startswith("/") or u.startswith("//") for u in p.urls):
        fail(f"{doc} loads assets from elsewhere: {p.urls}")
    for u in p.urls:
        expect(u, TYPES[Path(u).suffix])
spec = json.loads(expect("/openapi.json", "application/json"))
if "/api/v1/queries" not in spec.get("paths", {}):
    fail("/openapi.json lacks /api/v1/queries")

# the saved-query list: every file of the library is there
files = sorted(Path(os.environ["LIBRARY"]).glob("*.yaml"))
names = {yaml.safe_load(f.read_text("utf-8"))["name"] for f in files}
auth = {"Authorization": f"Bearer {os.environ['INVESTIGATOR']}"}
listed = json.loads(expect("/api/v1/queries", "application/json", headers=auth))
library = [q for q in listed if q.get("source") == "library"]
missing = names - {q["name"] for q in library}
if not files or missing:
    fail(f"saved-query list lacks {sorted(missing)} of the {len(files)} library files")
ok(f"saved-query list: all {len(files)} library files, {len(library)} built-in queries in all")

# one saved query and one ad-hoc Cypher query (the sandbox worker) return rows
look = {"Content-Type": "application/json", "X-Purpose": "wheel smoke test"}
body = json.dumps({"params": {}}).encode()
status, _, out, _ = get("/api/v1/queries/flag-counts/run", headers={**auth, **look}, data=body)
rows = json.loads(out).get("rows") if status == 200 else None
if not rows:
    fail(f"POST /api/v1/queries/flag-counts/run: {status} {out[:300]!r}")
ok(f"saved query flag-counts: {len(rows)} rows")
body = json.dumps({"cypher": "MATCH (o:Officer) RETURN count(o) AS n"}).encode()
analyst = {"Authorization": f"Bearer {os.environ['ANALYST']}"}
status, _, out, _ = get("/api/v1/cypher", headers={**analyst, **look}, data=body)
rows = json.loads(out).get("rows") if status == 200 else None
if not rows or not rows[0].get("n"):
    fail(f"POST /api/v1/cypher: {status} {out[:300]!r}")
ok(f"ad-hoc Cypher (sandbox worker): {rows[0]['n']} officers")
PYEOF
kill -0 "$SERVER_PID" 2>/dev/null || fail "the server stopped"
if grep -q "Traceback" "$TMP/server.log"; then fail "the server log has a traceback"; fi
pass "server log clean"
