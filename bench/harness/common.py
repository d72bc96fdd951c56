"""Paths, logging, free ports and a tiny HTTP client shared by the harness modules."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
LUA = BENCH / "lua" / "workload.lua"
CEILING = BENCH / "ceiling"
CEILING_TARGET = CEILING / "target"
CEILING_BIN = CEILING_TARGET / "release" / "bench-ceiling"

# Every server the harness starts listens here, and all load goes here: loopback only.
HOST = "127.0.0.1"
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")

_started = time.monotonic()


def log(message: str) -> None:
    elapsed = time.monotonic() - _started
    print(f"[bench {elapsed:6.1f}s] {message}", file=sys.stderr, flush=True)


def die(message: str) -> None:
    log(f"error: {message}")
    raise SystemExit(1)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def run(cmd: list[str], *, cwd: Path | None = None, env: dict | None = None, capture: bool = False,
        check: bool = True, input: str | None = None) -> subprocess.CompletedProcess:
    """Runs a command; its output goes to our stderr unless captured."""
    result = subprocess.run(
        cmd, cwd=cwd, env=env, input=input, text=True,
        stdout=subprocess.PIPE if capture else sys.stderr,
        stderr=subprocess.PIPE if capture else sys.stderr,
    )
    if check and result.returncode != 0:
        detail = (result.stderr or "").strip()[-2000:] if capture else ""
        die(f"command failed ({result.returncode}): {' '.join(cmd)}\n{detail}")
    return result


class Http:
    """A keep-alive HTTP/1.1 client for setup and checks (never for measuring)."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection(HOST, port, timeout=30)

    def request(self, method: str, path: str, body: bytes | str | None = None,
                headers: dict | None = None) -> tuple[int, bytes]:
        if isinstance(body, str):
            body = body.encode()
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers or {})
                resp = self.conn.getresponse()
                return resp.status, resp.read()
            except (ConnectionError, http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def json(self, method: str, path: str, payload=None, headers: dict | None = None) -> tuple[int, object]:
        headers = dict(headers or {})
        body = None
        if payload is not None:
            body = json.dumps(payload)
            headers.setdefault("Content-Type", "application/json")
        status, data = self.request(method, path, body, headers)
        try:
            return status, json.loads(data) if data else None
        except ValueError:
            return status, data.decode(errors="replace")

    def close(self) -> None:
        self.conn.close()


def wait_ready(port: int, path: str, proc, timeout: float = 60.0) -> None:
    """Polls GET path until it answers 2xx, or fails when the process dies or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            die(f"server on port {port} exited with {proc.returncode} before it was ready")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", path)
            status = conn.getresponse().status
            conn.close()
            if 200 <= status < 300:
                return
        except OSError:
            pass
        time.sleep(0.05)
    die(f"server on port {port} not ready after {timeout:.0f}s")
