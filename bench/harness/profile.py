"""Profiles of missed targets with valgrind's callgrind (perf's hardware counters are not available
on this kind of machine: `perf stat -e instructions true` reports them as unsupported).

For each missed throughput or latency target, a fresh biginbox on the same backend runs under
callgrind with instrumentation off during setup and seeding; it is switched on for a short burst of
the missed workload, then the server is stopped gracefully so that callgrind writes its profile.
`callgrind_annotate` gives the self cost of each function; the functions are also grouped by
component (SQLite, tokio, hyper, serde_json, the allocator, ...) to say what dominates.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path

from .common import RESULTS, log, run
from .systems import Biginbox
from .workloads import BY_KEY
from .wrk import run_wrk

PROFILE_SECONDS = 10
MAX_PROFILES = 8

# First match wins; patterns are searched in the demangled function name.
GROUPS = (
    ("SQLite", ("sqlite3", "rusqlite", "libsqlite3")),
    ("PostgreSQL client", ("tokio_postgres", "postgres_protocol", "postgres_types", "deadpool")),
    ("argon2 / blake2", ("argon2", "blake2")),
    ("SHA-256 / HMAC", ("sha2", "hmac", "sha256", "Sha256", "compress256")),
    ("serde_json", ("serde_json", "serde::")),
    ("hyper (HTTP)", ("hyper", "httparse", "http::")),
    ("axum / tower routing", ("axum", "tower", "matchit")),
    ("jiff (time)", ("jiff",)),
    ("tracing", ("tracing",)),
    ("tokio runtime", ("tokio",)),
    ("allocator (malloc/free)", ("malloc", "free", "arena.c", "realloc", "calloc", "alloc::alloc", "__rust_alloc",
                                 "__rust_dealloc", "__rdl_", "tcache", "arena_get", "sysmalloc", "__libc_")),
    ("memcpy/memmove/memset", ("memcpy", "memmove", "memset", "memcmp", "strlen", "bcmp")),
    ("formatting (core::fmt)", ("core::fmt", "alloc::fmt", "alloc::string", "ToString")),
    ("hash maps", ("hashbrown", "std::collections::hash", "SipHash", "siphash")),
    ("threads, locks, futex", ("pthread", "futex", "__lll", "std::sync", "parking_lot", "Mutex")),
    ("biginbox code (crm/server/store)", ("crm::", "server::", "store::", "biginbox::")),
)

# Inclusive costs worth naming on their own (the largest matching function counts).
MARKERS = (
    ("SQLite compiling SQL text (sqlite3_prepare)", ("sqlite3LockAndPrepare", "sqlite3Prepare")),
    ("SQLite running statements (sqlite3_step)", ("sqlite3_step",)),
    ("SQLite WAL writes and checksums (sqlite3WalFrames)", ("sqlite3WalFrames",)),
    ("PostgreSQL client (tokio_postgres)", ("tokio_postgres::",)),
    ("JSON serialization (serde_json::ser)", ("serde_json::ser::",)),
    ("access-token digest (server::secrets::Secrets::digest)", ("server::secrets::Secrets::digest",)),
)

LINE = re.compile(r"^\s*([\d,]+)\s+\(\s*([\d.]+)%\)\s+(.*)$")
LOCATION = re.compile(r"^(\?\?\?|.*?\.[A-Za-z]+):(?!:)(.*)$")
OWN_CODE = ("crm::", "server::", "store::", "biginbox::")


def classify(function: str, location: str = "") -> str:
    """The component a function belongs to, from its name or else the source file it came from."""
    for text in (function, location):
        for group, needles in GROUPS:
            if any(n in text for n in needles):
                return group
    return "other"


def parse_annotate(text: str, groups: dict[str, int] | None = None) -> dict[str, int]:
    """Cost per function (summed over the files its code came from) from the function table of
    `callgrind_annotate --auto=no`; also adds each line's cost to its component in `groups`."""
    costs: dict[str, int] = {}
    in_functions = False
    for line in text.splitlines():
        if "file:function" in line:
            in_functions = True
            continue
        if not in_functions or line.startswith("---"):
            continue
        if not line.strip():
            if costs:
                break
            continue
        m = LINE.match(line)
        if not m:
            continue
        name = re.sub(r"\s+\[[^\]]*\]$", "", m.group(3).strip())  # drop "[object file]"
        loc = LOCATION.match(name)
        location = ""
        if loc:
            location, name = loc.group(1), loc.group(2)
        cost = int(m.group(1).replace(",", ""))
        costs[name] = costs.get(name, 0) + cost
        if groups is not None:
            group = classify(name, location)
            groups[group] = groups.get(group, 0) + cost
    return costs


def total_of(text: str) -> int:
    m = re.search(r"^\s*([\d,]+)\s+\(100\.0%\)\s+PROGRAM TOTALS", text, re.M)
    return int(m.group(1).replace(",", "")) if m else 0


def summarize(self_costs: dict[str, int], inclusive: dict[str, int], groups: dict[str, int], total: int,
              top_n: int = 15) -> tuple[list[dict], list[dict], list[dict]]:
    total = total or sum(self_costs.values()) or 1
    ranked = sorted(self_costs.items(), key=lambda kv: -kv[1])
    top = [{"percent": 100 * ir / total, "function": fn[:160]} for fn, ir in ranked[:top_n]]
    grouped = [{"group": g, "percent": 100 * ir / total} for g, ir in sorted(groups.items(), key=lambda kv: -kv[1])
               if 100 * ir / total >= 1.0]
    # biginbox's own functions by inclusive cost: where in the code the time is spent.
    own = sorted(((fn, ir) for fn, ir in inclusive.items() if fn.lstrip("<").startswith(OWN_CODE)),
                 key=lambda kv: -kv[1])
    own_top = [{"percent": 100 * ir / total, "function": fn[:160]} for fn, ir in own[:top_n]]
    markers = []
    for label, needles in MARKERS:
        best = max((ir for fn, ir in inclusive.items() if fn.lstrip("<").startswith(needles)), default=0)
        if best * 100 / total >= 1.0:
            markers.append({"what": label, "percent": 100 * best / total})
    return top, grouped, own_top, markers


def choose(misses: list[dict], always: bool, measured: list[tuple[str, str]] = ()) -> list[tuple[str, str, int, str]]:
    picked: dict[tuple[str, str], tuple[int, str]] = {}
    for m in misses:
        if not m.get("workload") or m["system"] not in ("biginbox-sqlite", "biginbox-postgres"):
            continue
        key = (m["system"], m["workload"])
        if key not in picked:
            picked[key] = (m["connections"] or 16, f"{m['target']}: {m['measured']}")
    if always:
        # Every biginbox workload of the run, misses first.
        for key in measured:
            picked.setdefault(key, (16, "requested with --profile always"))
        if not picked:
            picked[("biginbox-sqlite", "get_by_id")] = (64, "requested with --profile always")
    return [(s, w, c, why) for (s, w), (c, why) in list(picked.items())[:MAX_PROFILES]]


def profile_one(system_name: str, workload: str, connections: int, why: str, binary: Path, scratch: Path,
                meta_steps: list[dict]) -> dict:
    backend = system_name.split("-", 1)[1]
    work = scratch / "profile"
    work.mkdir(exist_ok=True)
    out_file = work / f"callgrind-{system_name}-{workload}.out"
    system = Biginbox(work, backend, binary)
    system.wrapper = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out_file}", "--instr-atstart=no",
                      "--dump-instr=no", "--separate-threads=no"]
    conns = min(connections, 16)
    log(f"profiling {system_name} {workload} at {conns} connections under callgrind ({PROFILE_SECONDS} s)")
    try:
        system.start()
        if workload == "search_email_100k":
            system.prepare_search()  # seeding is the CLI's work, outside the profiled server
        run(["callgrind_control", "-i", "on", str(system.server.pid)], capture=True)
        req = system.request(workload)
        if workload == "token_refresh":
            # Tokens enough for this burst under callgrind (each serves 9 refreshes).
            system.refresh_file = work / "refresh-profile.txt"
            system.refresh_file.write_text(system.refresh_tokens(200))
            req = system.request(workload)
        outcome = run_wrk(system.port, req, conns, PROFILE_SECONDS, f"profile-{system_name}-{workload}", work)
        run(["callgrind_control", "-i", "off", str(system.server.pid)], capture=True, check=False)
        system.server.stop(timeout=120)
    finally:
        if system.server and system.server.proc.poll() is None:
            system.server.stop(timeout=60)
        system.cleanup()
    dumps = sorted(work.glob(out_file.name + "*"))
    if not dumps:
        return {"system": system_name, "workload": workload, "connections": conns, "tool": "callgrind",
                "seconds": PROFILE_SECONDS, "why": why, "error": "callgrind wrote no profile"}
    self_costs: dict[str, int] = {}
    inclusive: dict[str, int] = {}
    groups: dict[str, int] = {}
    total = 0
    texts = []
    for dump in dumps:
        flat = subprocess.run(["callgrind_annotate", "--auto=no", "--inclusive=no", "--threshold=100", str(dump)],
                              capture_output=True, text=True).stdout
        incl = subprocess.run(["callgrind_annotate", "--auto=no", "--inclusive=yes", "--threshold=99", str(dump)],
                              capture_output=True, text=True).stdout
        texts += [flat, incl]
        total += total_of(flat)
        for fn, ir in parse_annotate(flat, groups).items():
            self_costs[fn] = self_costs.get(fn, 0) + ir
        for fn, ir in parse_annotate(incl).items():
            inclusive[fn] = inclusive.get(fn, 0) + ir
    top, grouped, own, markers = summarize(self_costs, inclusive, groups, total)
    keep = RESULTS / "profiles"
    keep.mkdir(exist_ok=True)
    annotated = keep / f"{system_name}-{workload}.txt"
    annotated.write_text("\n".join(texts))
    step = next((s for s in meta_steps if s["workload"] == workload and s["connections"] == connections), {})
    return {
        "system": system_name, "workload": workload, "connections": conns, "tool": "callgrind",
        "seconds": PROFILE_SECONDS, "why": why, "requests_profiled": outcome.requests,
        "top": top, "groups": grouped, "own_inclusive": own, "markers": markers, "file": str(annotated.relative_to(RESULTS.parent.parent)),
        "server_cpu_percent": step.get("server_cpu_percent"),
        "server_cpu_us_per_request": step.get("server_cpu_us_per_request"),
        # Instructions are what callgrind counts exactly: a figure that load on the machine
        # does not move, to compare builds by.
        "instructions": total,
        "instructions_per_request": round(total / outcome.requests) if outcome.requests else None,
    }


def profile_misses(misses: list[dict], binary: Path, scratch: Path, meta: dict, always: bool = False) -> list[dict]:
    if not shutil.which("callgrind_control"):
        log("warning: valgrind's callgrind_control is missing; no profiles")
        return []
    profiles = []
    measured = [(name, step["workload"]) for name, system in meta["systems"].items()
                if name in ("biginbox-sqlite", "biginbox-postgres") for step in system.get("steps", [])]
    for system_name, workload, conns, why in choose(misses, always, list(dict.fromkeys(measured))):
        if workload not in BY_KEY:
            continue
        steps = meta["systems"].get(system_name, {}).get("steps", [])
        started = time.monotonic()
        profiles.append(profile_one(system_name, workload, conns, why, binary, scratch, steps))
        log(f"profile of {system_name} {workload} took {time.monotonic() - started:.0f} s")
    return profiles
