"""Server processes and their memory: start, readiness, RSS sampling, stop."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path

from .common import log, wait_ready

SAMPLE_INTERVAL = 0.05


def read_status_kb(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process in KiB, from /proc/<pid>/status ({} once it is gone)."""
    values = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    key, value = line.split(":", 1)
                    values[key] = int(value.split()[0])
    except (FileNotFoundError, ProcessLookupError, ValueError):
        pass
    return values


class MemorySampler:
    """Samples VmRSS every SAMPLE_INTERVAL while active, keeping the peak of the current window."""

    def __init__(self, pid: int):
        self.pid = pid
        self._peak = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            rss = read_status_kb(self.pid).get("VmRSS", 0)
            with self._lock:
                self._peak = max(self._peak, rss)
            time.sleep(SAMPLE_INTERVAL)

    def window(self) -> int:
        """The peak RSS (KiB) since the previous call, and starts a new window."""
        with self._lock:
            peak = max(self._peak, read_status_kb(self.pid).get("VmRSS", 0))
            self._peak = 0
            return peak

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=1)


class Server:
    """One system under test, running as a child process of the harness."""

    def __init__(self, name: str, cmd: list[str], port: int, ready_path: str, log_path: Path,
                 cwd: Path | None = None, env: dict | None = None):
        self.name = name
        self.port = port
        self.log_path = log_path
        log(f"starting {name} on {port}: {' '.join(str(c) for c in cmd)}")
        self.log_file = open(log_path, "wb")
        self.proc = subprocess.Popen(
            [str(c) for c in cmd], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
            stdout=self.log_file, stderr=subprocess.STDOUT,
        )
        wait_ready(port, ready_path, self.proc)
        self.memory = MemorySampler(self.proc.pid)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def cpu_times(self) -> tuple[float, float]:
        """User and system (kernel) CPU time the server has used so far."""
        try:
            with open(f"/proc/{self.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            tick = os.sysconf("SC_CLK_TCK")
            return int(fields[11]) / tick, int(fields[12]) / tick
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            return 0.0, 0.0

    def status_kb(self) -> dict[str, int]:
        return read_status_kb(self.pid)

    def idle_rss_kb(self, seconds: float = 1.0) -> int:
        """Peak RSS over a quiet moment (nothing is sent meanwhile)."""
        self.memory.window()
        time.sleep(seconds)
        return self.memory.window()

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int | None:
        """Stops the server (SIGTERM, or SIGKILL to simulate a crash); returns its exit code."""
        self.memory.close()
        if self.proc.poll() is None:
            os.kill(self.proc.pid, sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                log(f"{self.name} did not stop within {timeout:.0f}s; killing it")
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log_file.close()
        return self.proc.returncode
