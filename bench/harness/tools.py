"""Installs and builds what a run needs: wrk (Debian), json-server (npm), the release binaries."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from .common import BENCH, CEILING, CEILING_BIN, CEILING_TARGET, PG_ADMIN_URL, ROOT, die, log, run

# The load generator, pinned to Debian bookworm's build.
WRK_PACKAGE = "wrk"
WRK_VERSION = "4.1.0-3+b2"
JSON_SERVER_VERSION = json.loads((BENCH / "package.json").read_text())["dependencies"]["json-server"]

_apt_updated = False


def apt_install(package: str, version: str | None = None) -> None:
    global _apt_updated
    if os.geteuid() != 0:
        die(f"{package} is missing and installing it needs root: apt-get install {package}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    if not _apt_updated:
        log("apt-get update")
        run(["apt-get", "update", "-qq"], env=env)
        _apt_updated = True
    spec = f"{package}={version}" if version else package
    log(f"apt-get install {spec}")
    result = run(["apt-get", "install", "-y", "-qq", spec], env=env, check=False, capture=True)
    if result.returncode != 0 and version:
        log(f"warning: {spec} is not available; installing Debian's current {package}")
        run(["apt-get", "install", "-y", "-qq", package], env=env)
    elif result.returncode != 0:
        die(f"apt-get install {package} failed:\n{result.stderr}")


def dpkg_version(package: str) -> str:
    out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package], capture_output=True, text=True)
    return out.stdout.strip() if out.returncode == 0 else "unknown"


def ensure_wrk() -> str:
    if not shutil.which("wrk"):
        apt_install(WRK_PACKAGE, WRK_VERSION)
    version = dpkg_version(WRK_PACKAGE)
    if version != WRK_VERSION:
        log(f"warning: wrk {version} installed, the harness is pinned to {WRK_VERSION}")
    return version


def ensure_json_server() -> str:
    installed = BENCH / "node_modules" / "json-server" / "package.json"
    current = json.loads(installed.read_text())["version"] if installed.exists() else None
    if current != JSON_SERVER_VERSION:
        if not shutil.which("npm"):
            die("npm is needed for json-server (Node 20 or later)")
        log(f"npm ci (json-server {JSON_SERVER_VERSION})")
        run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=BENCH)
    return JSON_SERVER_VERSION


def ensure_psql() -> None:
    if not shutil.which("psql"):
        apt_install("postgresql-client")


def postgres_reachable() -> bool:
    ensure_psql()
    out = subprocess.run(["psql", PG_ADMIN_URL, "-At", "-c", "SELECT 1"], capture_output=True, text=True)
    return out.returncode == 0


def ensure_valgrind() -> None:
    if not shutil.which("valgrind"):
        apt_install("valgrind")


def build_biginbox() -> Path:
    """`cargo build --release -p biginbox` in the main workspace (BIGINBOX_BIN skips it)."""
    given = os.environ.get("BIGINBOX_BIN")
    if given:
        log(f"using BIGINBOX_BIN={given} (not building)")
        return Path(given).resolve()
    log("cargo build --release -p biginbox")
    run(["cargo", "build", "--release", "-p", "biginbox"], cwd=ROOT)
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    if not target.is_absolute():
        target = ROOT / target
    return target / "release" / "biginbox"


def build_ceiling() -> Path:
    """Builds bench/ceiling on its own (its own workspace, lock file and target directory)."""
    log("cargo build --release (bench/ceiling)")
    run(["cargo", "build", "--release", "--locked", "--manifest-path", str(CEILING / "Cargo.toml"),
         "--target-dir", str(CEILING_TARGET)])
    return CEILING_BIN


def versions(biginbox: Path) -> dict:
    def out(cmd: list[str]) -> str:
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
            return (r.stdout or r.stderr).strip().splitlines()[0] if (r.stdout or r.stderr).strip() else "unknown"
        except (OSError, subprocess.TimeoutExpired):
            return "unknown"
    commit = out(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"])
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "crates", "Cargo.lock"],
                           capture_output=True, text=True).stdout.strip()
    if os.environ.get("BIGINBOX_BIN"):
        described = os.environ.get("BIGINBOX_BIN_COMMIT", "unknown")
        commit = f"{described} (binary given by BIGINBOX_BIN, not built by bench/run)"
    else:
        commit = commit + (" (with uncommitted changes under crates/)" if dirty else "")
    return {
        "biginbox": out([str(biginbox), "--version"]),
        "commit": commit,
        "rustc": out(["rustc", "--version"]),
        "wrk": dpkg_version(WRK_PACKAGE),
        "json-server": JSON_SERVER_VERSION,
        "node": out(["node", "--version"]),
        "postgresql": out(["psql", PG_ADMIN_URL, "-At", "-c", "SHOW server_version"]),
    }
