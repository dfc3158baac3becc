"""Many concurrent API clients against ``linkwatch serve``, on 127.0.0.1 only, bounded in
time: errors, hangs, ``/health`` while loaded, and p50/p95/p99 per endpoint.

    python benchmarks/load.py --officers 1000 --days 90 --clients 200 --seconds 60 [--data-dir DIR]

Generates and ingests a force into the embedded store (skipped when ``--data-dir``
already holds one), starts ``linkwatch serve`` as its own process (uvicorn's thread
pool has 40 workers, so 200 clients are five times more than it can run at once), and
runs ``--clients`` asyncio clients for ``--seconds``. Each client loops over a mix of
search, entity, neighbourhood (depth 1 and 2), paths, the flag list (deep pages too),
one flag and a saved query, every request with an investigator's token and a purpose.
A prober in its own process asks ``/health`` every 0.5 s. A request counts as an error if it
gets anything but 200 and as a hang if it takes longer than ``--hang-s``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))] if xs else float("nan")


@contextmanager
def serving(data: Path, env: dict[str, str] | None = None, log: Path | None = None) -> Iterator[str]:
    """``linkwatch serve`` on a free port of 127.0.0.1 over ``data``; yields its URL."""
    port = free_port()
    out = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env={**os.environ, "LINKWATCH_DATA_DIR": str(data), **(env or {})},
        stdout=out,
        stderr=subprocess.STDOUT,
        cwd=Path(__file__).resolve().parent.parent,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start (exit {proc.poll()})")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=20)
        if log:
            out.close()  # type: ignore[union-attr]


def server_processes(port: int) -> list[Any]:
    """The processes listening on ``port`` (the server's workers; psutil comes with Locust)."""
    import psutil

    found = []
    for p in psutil.process_iter():
        try:
            if any(c.laddr.port == port and c.status == psutil.CONN_LISTEN for c in p.net_connections("tcp")):
                found.append(p)
        except (psutil.AccessDenied, psutil.NoSuchProcess):
            continue
    return found


def settle(procs: list[Any], most: float) -> float:
    """Wait until the processes have used under 5 % of a core for 3 s running (their
    warm-up is done), at most ``most`` seconds; the seconds waited."""
    t0 = time.monotonic()
    quiet, last = 0, sum(sum(p.cpu_times()[:2]) for p in procs)
    while quiet < 3 and time.monotonic() - t0 < most:
        time.sleep(1)
        now = sum(sum(p.cpu_times()[:2]) for p in procs)
        quiet, last = (quiet + 1 if now - last < 0.05 else 0), now
    return time.monotonic() - t0


@dataclass
class LoadReport:
    clients: int
    seconds: float
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    hangs: int = 0
    health: list[float] = field(default_factory=list)
    health_failures: int = 0

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.times.values())

    @property
    def error_count(self) -> int:
        return sum(len(v) for v in self.errors.values())

    def table(self) -> str:
        lines = [
            f"{self.clients} clients for {self.seconds:.0f} s: {self.requests:,} requests "
            f"({self.requests / self.seconds:,.0f}/s), {self.error_count} errors, {self.hangs} hangs; "
            f"/health answered {len(self.health)} of {len(self.health) + self.health_failures} probes "
            f"(p50 {pct(self.health, 0.5):.0f} ms, p95 {pct(self.health, 0.95):.0f} ms, "
            f"slowest {max(self.health, default=0):.0f} ms)",
            "",
            "| endpoint | requests | p50 ms | p95 ms | p99 ms | max ms | errors |",
            "|---|---|---|---|---|---|---|",
        ]
        for name in sorted(self.times):
            t = self.times[name]
            lines.append(
                f"| {name} | {len(t):,} | {pct(t, 0.5):.0f} | {pct(t, 0.95):.0f} | {pct(t, 0.99):.0f} | "
                f"{max(t):.0f} | {len(self.errors.get(name, []))} |"
            )
        for name, errs in self.errors.items():
            lines.append(f"  {name}: e.g. {errs[0][:200]}")
        return "\n".join(lines)


Target = tuple[str, str, dict[str, Any] | None, dict[str, Any] | None]
"""(name, method and path, query parameters, JSON body)."""


def targets(officers: list[str], flag_ids: list[str], rng: random.Random) -> Iterator[Target]:
    """An endless mix of the requests investigators and case systems make."""
    surnames = ["Smith", "Jones", "Taylor", "Brown", "Khan", "Patel", "Evans", "Wilson"]
    while True:
        o = rng.choice(officers)
        k = rng.random()
        if k < 0.15:
            yield "search", "GET /api/v1/search", {"q": rng.choice(surnames)}, None
        elif k < 0.30:
            yield "entity", f"GET /api/v1/entities/{o}", None, None
        elif k < 0.50:
            yield "neighbourhood depth 1", "GET /api/v1/neighbourhood", {"id": o, "depth": 1}, None
        elif k < 0.58:
            yield "neighbourhood depth 2", "GET /api/v1/neighbourhood", {"id": o, "depth": 2}, None
        elif k < 0.66:
            to = rng.choice(officers)
            yield "paths", "GET /api/v1/paths", {"from": o, "to": to, "max_hops": 4}, None
        elif k < 0.80:
            yield "flags", "GET /api/v1/flags", {"limit": 50, "skip": rng.choice([0, 50, 500])}, None
        elif k < 0.88 and flag_ids:
            yield "flag", f"GET /api/v1/flags/{rng.choice(flag_ids)}", None, None
        else:
            body = {"params": {"officer_id": o.split(":", 1)[1]}}
            yield "saved query", "POST /api/v1/queries/officer-profile/run", None, body


async def _run(
    url: str, headers: dict[str, str], make: Any, clients: int, seconds: float, hang_s: float
) -> LoadReport:
    report = LoadReport(clients, seconds)
    stop = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients + 8, max_keepalive_connections=clients + 8)
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=hang_s, limits=limits) as c:

        async def client(i: int) -> None:
            for name, what, params, body in make(i):
                if time.monotonic() >= stop:
                    return
                method, path = what.split(" ", 1)
                t0 = time.perf_counter()
                try:
                    r = await c.request(method, path, params=params, json=body)
                except httpx.TimeoutException:
                    report.hangs += 1
                    report.errors[name].append(f"no answer within {hang_s} s")
                    continue
                except httpx.TransportError as e:
                    report.errors[name].append(repr(e))
                    continue
                report.times[name].append((time.perf_counter() - t0) * 1000)
                if r.status_code != 200:
                    report.errors[name].append(f"{r.status_code} {r.text[:300]}")

        probe = subprocess.Popen(
            [sys.executable, "-c", _PROBER, url, str(seconds)], stdout=subprocess.PIPE, text=True
        )
        await asyncio.gather(*(client(i) for i in range(clients)))
        out, _ = probe.communicate(timeout=seconds + 30)
        for line in out.split():
            if line == "fail":
                report.health_failures += 1
            else:
                report.health.append(float(line))
    return report


_PROBER = """
import sys, time, httpx
url, seconds = sys.argv[1], float(sys.argv[2])
stop = time.monotonic() + seconds
with httpx.Client(base_url=url, timeout=10) as c:
    while time.monotonic() < stop:
        t0 = time.perf_counter()
        try:
            ok = c.get("/health").status_code == 200
        except httpx.HTTPError:
            ok = False
        print(f"{(time.perf_counter() - t0) * 1000:.1f}" if ok else "fail", flush=True)
        time.sleep(0.5)
"""
"""``/health`` every 0.5 s from a process of its own (the load's event loop would delay it)."""


def run_load(
    url: str,
    headers: dict[str, str],
    officers: list[str],
    flag_ids: list[str],
    *,
    clients: int = 200,
    seconds: float = 60,
    hang_s: float = 30,
    seed: int = 1,
) -> LoadReport:
    """Run the load (see the module's text) and return what happened."""

    def make(i: int) -> Iterator[Target]:
        return targets(officers, flag_ids, random.Random(seed * 1000 + i))

    return asyncio.run(_run(url, headers, make, clients, seconds, hang_s))


def investigator_headers(
    data: Path, note: str = "load benchmark", purpose: str = "load test", case_ref: str = "LOAD"
) -> dict[str, str]:
    """Headers with a new investigator's token (valid a day) and a purpose."""
    from graph.meta import MetaStore

    meta = MetaStore(data)
    try:
        token = meta.create_token("load", "investigator", note=note, expires_days=1).secret
    finally:
        meta.close()
    return {"Authorization": f"Bearer {token}", "X-Purpose": purpose, "X-Case-Ref": case_ref}


def officers_and_flags(data: Path, buffer_pool_mb: int = 512) -> tuple[list[str], list[str]]:
    from graph.settings import Settings
    from graph.workspace import open_store

    s = Settings(store="embedded", data_dir=data, buffer_pool_mb=buffer_pool_mb)
    with open_store(s, read_only=True) as st:
        officers = [r["id"] for r in st.query("MATCH (o:Officer) RETURN o.uid AS id ORDER BY id")]
        flags = [r["id"] for r in st.query("MATCH (f:Flag) RETURN f.flag_id AS id ORDER BY id LIMIT 500")]
    return officers, flags


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--officers", type=int, default=1000)
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--clients", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--hang-s", type=float, default=30)
    ap.add_argument("--data-dir", type=Path)
    args = ap.parse_args()
    data = args.data_dir or Path(tempfile.mkdtemp(prefix="lw-load-")) / "data"
    if not (data / "graph.lbdb").exists():  # the demo's path: generate, ingest, detect
        t0 = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "api.cli",
                "demo",
                "--officers",
                str(args.officers),
                "--days",
                str(args.days),
                "--seed",
                str(args.seed),
                "--data-dir",
                str(data),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            cwd=Path(__file__).resolve().parent.parent,
        )
        print(f"force of {args.officers} x {args.days} ready in {time.perf_counter() - t0:.0f} s: {data}")
    officers, flags = officers_and_flags(data)
    headers = investigator_headers(data)
    with serving(data, log=data.parent / "server.log") as url:
        report = run_load(
            url, headers, officers, flags, clients=args.clients, seconds=args.seconds, hang_s=args.hang_s
        )
    print(f"\n{len(officers):,} officers, {len(flags)} flags sampled\n")
    print(report.table())


if __name__ == "__main__":
    main()
