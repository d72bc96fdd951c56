"""Runs wrk with bench/lua/workload.lua and reads back the summary the script writes."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from .common import HOST, LUA, die


# Refreshes each refresh token may serve: Zoho (and biginbox) allow 10 access tokens per refresh
# token in 10 minutes, and the access token that the code exchange issued beside the refresh token
# is the first of them.
MAX_USES_PER_REFRESH_TOKEN = 9


@dataclass
class Request:
    """What one workload sends to one system (see workload.lua for the meaning of each field)."""
    method: str
    path: str
    body: str = ""
    check: str = "status"
    batch: int = 1
    auth: str = ""
    ids_file: Path | None = None
    refresh_file: Path | None = None
    max_uses: int = MAX_USES_PER_REFRESH_TOKEN
    ack_dir: Path | None = None
    skip_id: str = ""


@dataclass
class Outcome:
    duration_s: float
    rate: float
    requests: int
    ok: int
    bad: int
    socket_errors: int
    acked_records: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    raw: dict = field(default_factory=dict)

    @property
    def requests_per_sec(self) -> float:
        """Successful (2xx and valid) answers per second."""
        return self.rate

    @property
    def stopped_early(self) -> bool:
        return any(t["stopped_us"] >= 0 for t in self.raw.get("threads", []))

    @property
    def errors(self) -> int:
        return self.bad + self.socket_errors


def threads_for(connections: int) -> int:
    return max(1, min(connections, 2, os.cpu_count() or 1))


def run_wrk(port: int, req: Request, connections: int, seconds: float, tag: str, scratch: Path) -> Outcome:
    threads = threads_for(connections)
    out = scratch / f"wrk-{tag}.json"
    out.unlink(missing_ok=True)
    env = dict(os.environ)
    env.update({
        "BENCH_METHOD": req.method,
        "BENCH_PATH": req.path,
        "BENCH_BODY": req.body,
        "BENCH_CHECK": req.check,
        "BENCH_BATCH": str(req.batch),
        "BENCH_AUTH": req.auth,
        "BENCH_IDS_FILE": str(req.ids_file or ""),
        "BENCH_REFRESH_FILE": str(req.refresh_file or ""),
        "BENCH_MAX_USES": str(req.max_uses),
        "BENCH_ACK_DIR": str(req.ack_dir or ""),
        "BENCH_SKIP_ID": req.skip_id,
        "BENCH_TAG": tag,
        "BENCH_THREADS": str(threads),
        "BENCH_CONNECTIONS": str(connections),
        "BENCH_OUT": str(out),
    })
    duration = f"{max(1, round(seconds))}s"
    cmd = ["wrk", "-t", str(threads), "-c", str(connections), "-d", duration, "--timeout", "10s",
           "-s", str(LUA), f"http://{HOST}:{port}"]
    result = subprocess.run(cmd, env=env, text=True, capture_output=True)
    if result.returncode != 0 or not out.exists():
        die(f"wrk failed ({result.returncode}): {' '.join(cmd)}\n{result.stdout}\n{result.stderr}")
    raw = json.loads(out.read_text())
    lat = raw["latency_us"]
    # Each wrk thread has its own connections; one that stopped early (its refresh tokens were
    # used up) counts over the time it actually ran.
    rate, longest = 0.0, 0.0
    for t in raw["threads"]:
        ran_us = t["stopped_us"] if t["stopped_us"] >= 0 else raw["duration_us"]
        longest = max(longest, ran_us)
        if ran_us > 0:
            rate += t["ok"] / (ran_us / 1e6)
    return Outcome(
        duration_s=longest / 1e6,
        rate=rate,
        requests=raw["requests"],
        ok=raw["ok"],
        bad=raw["bad"],
        socket_errors=sum(raw["socket_errors"].values()),
        acked_records=raw["acked_records"],
        p50_ms=lat["p50"] / 1000,
        p90_ms=lat["p90"] / 1000,
        p99_ms=lat["p99"] / 1000,
        max_ms=lat["max"] / 1000,
        raw=raw,
    )
