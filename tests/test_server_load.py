"""``linkwatch serve`` as its own process under more clients than it has worker threads,
and beside an ingest: every request answered, ``/health`` throughout, no reader ever
sees a half-written store. (The figures at full length: ``benchmarks/load.py``.)"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

from benchmarks.load import investigator_headers, officers_and_flags, run_load, serving
from graph.settings import Settings
from graph.workspace import open_store
from ingest.run import ingest_dir
from synthetic import generate

ROOT = Path(__file__).resolve().parent.parent


def _force(tmp_path: Path) -> tuple[Settings, Path]:
    s = Settings(store="embedded", data_dir=tmp_path / "data", buffer_pool_mb=256, query_timeout_s=30)
    full = generate(officers=120, days=20, seed=8).write(tmp_path / "full")
    part = tmp_path / "part"
    part.mkdir()
    for name in ("officers.csv", "units.csv", "sites.csv"):
        shutil.copy(full / name, part / name)
    with open_store(s) as st:
        ingest_dir(st, part, s.data_dir)
    return s, full


def test_two_hundred_clients_never_hang_the_server(tmp_path: Path) -> None:
    """At stop 8, 41 parallel requests hung the server for good (every worker thread
    waited for a lock held by a request that needed one more thread)."""
    s, _ = _force(tmp_path)
    officers, flags = officers_and_flags(s.data_dir, 256)
    headers = investigator_headers(s.data_dir)
    with serving(s.data_dir, {"LINKWATCH_BUFFER_POOL_MB": "256"}, log=tmp_path / "server.log") as url:
        report = run_load(url, headers, officers, flags, clients=200, seconds=8, hang_s=60)
    print(report.table())
    assert report.error_count == 0 and report.hangs == 0, report.table()
    assert report.requests >= 200
    assert report.health and report.health_failures == 0


def test_requests_during_an_ingest_see_old_or_new_never_a_mix(tmp_path: Path) -> None:
    """At stop 8 one request under load answered ``400 unknown node label 'ifier'``: it
    read a store an ingest had half written. Readers now open published snapshots."""
    s, full = _force(tmp_path)
    officers, flags = officers_and_flags(s.data_dir, 256)
    headers = investigator_headers(s.data_dir)
    script = textwrap.dedent(f"""
        from pathlib import Path
        from graph.settings import Settings
        from graph.workspace import open_store
        from ingest.run import ingest_dir
        s = Settings(data_dir={str(s.data_dir)!r}, buffer_pool_mb=256)
        with open_store(s) as st:
            ingest_dir(st, Path({str(full)!r}), s.data_dir)
    """)
    done: list[subprocess.CompletedProcess[str]] = []

    def ingest() -> None:
        done.append(
            subprocess.run(
                [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300
            )
        )

    with serving(s.data_dir, {"LINKWATCH_BUFFER_POOL_MB": "256"}, log=tmp_path / "server.log") as url:
        t = threading.Thread(target=ingest)
        t.start()
        report = run_load(url, headers, officers, flags, clients=50, seconds=12, hang_s=60)
        t.join(300)
        import httpx

        after = httpx.get(f"{url}/api/v1/search", params={"q": "a"}, headers=headers, timeout=30)
    assert done and done[0].returncode == 0, done[0].stderr[-2000:] if done else "the ingest did not end"
    assert report.error_count == 0 and report.hangs == 0, report.table()
    assert after.status_code == 200
    with open_store(s, read_only=True) as st:
        assert st.counts()["Membership"] + st.counts()["Declaration"] > 0  # the full ingest is visible
