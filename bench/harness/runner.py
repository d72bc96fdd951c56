"""bench/run: builds, installs, starts each system, measures every workload, writes the results."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

from . import pgbench, profile, report, tools
from .common import RESULTS, log
from .systems import Biginbox, Ceiling, JsonServer, System
from .workloads import BY_KEY, CONNECTIONS, WORKLOADS
from .wrk import MAX_USES_PER_REFRESH_TOKEN, Request, run_wrk

MODES = {
    # seconds per measured step, seconds of warm-up per read workload, most refresh tokens to mint
    "quick": {"duration": 1, "warmup": 1, "refresh_tokens": 1000},
    "full": {"duration": 8, "warmup": 3, "refresh_tokens": 6000},
}
CALIBRATION_TOKENS = 100
SYSTEM_ORDER = ("ceiling", "json-server", "biginbox-sqlite", "biginbox-postgres")


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="bench/run", description=__doc__)
    p.add_argument("--quick", action="store_true", help="about two minutes: 1 s per step")
    p.add_argument("--duration", type=float, help="seconds per measured step (overrides the mode)")
    p.add_argument("--warmup", type=float, help="seconds of warm-up per read workload")
    p.add_argument("--systems", default=",".join(SYSTEM_ORDER), help="comma-separated subset of " + ", ".join(SYSTEM_ORDER))
    p.add_argument("--workloads", default=",".join(w.key for w in WORKLOADS if not w.pending), help="comma-separated subset")
    p.add_argument("--connections", default=",".join(map(str, CONNECTIONS)), help="comma-separated connection counts")
    p.add_argument("--refresh-tokens", type=int, help="most refresh tokens to mint per biginbox system")
    p.add_argument("--profile", choices=("auto", "always", "never"), default=None,
                   help="callgrind profiles of missed targets (default: auto for a full run, never for --quick)")
    p.add_argument("--out", type=Path, default=RESULTS / "latest.json", help="results file (default bench/results/latest.json)")
    p.add_argument("--no-report", action="store_true", help="do not regenerate BENCHMARKS.md")
    p.add_argument("--keep-work", action="store_true", help="keep the scratch directory (databases, logs)")
    return p.parse_args(argv)


def machine() -> dict:
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_kb = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    os_name = platform.system()
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    os_name = line.split("=", 1)[1].strip().strip('"')
    except FileNotFoundError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "os": f"{os_name}, Linux {platform.release()}",
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        # Other work on the machine (a compiler, say) shows here and skews every figure.
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
    }


def refresh_slices(system: Biginbox, connections: list[int], duration: float, most: int,
                   scratch: Path) -> tuple[dict[int, Path], dict]:
    """Mints enough refresh tokens that no token serves more than MAX_USES_PER_REFRESH_TOKEN
    refreshes, and splits them into one disjoint file per connection count.

    How many is enough comes from a calibration burst on the tokens made at start-up; the pool is
    then sized for that rate (+60%) at every connection count, but never beyond `most`. A wrk
    thread whose tokens run out stops (see workload.lua), so an undersized pool shortens a step
    instead of re-using tokens; the step's real duration is recorded.
    """
    base = system.request("token_refresh")
    calibration = system.work / "refresh-calibration.txt"
    calibration.write_text(system.refresh_tokens(CALIBRATION_TOKENS))
    calib = run_wrk(system.port, Request(**{**base.__dict__, "refresh_file": calibration}),
                    max(connections), 1, f"calibrate-{system.name}", scratch)
    rate = max(calib.requests_per_sec, 1.0)
    wanted = {c: math.ceil((rate * duration * 1.6 + c) / MAX_USES_PER_REFRESH_TOKEN) + 2 for c in connections}
    total = sum(wanted.values())
    capped = total > most
    if capped:
        wanted = {c: max(4, int(n * most / total)) for c, n in wanted.items()}
    lines = system.refresh_tokens(sum(wanted.values())).splitlines(keepends=True)
    files, start = {}, 0
    for c in connections:
        path = system.work / f"refresh-{c}.txt"
        path.write_text("".join(lines[start:start + wanted[c]]))
        files[c], start = path, start + wanted[c]
    info = {"calibration_rate": round(rate, 1), "tokens": wanted, "capped": capped,
            "max_uses_per_token": MAX_USES_PER_REFRESH_TOKEN}
    log(f"{system.name}: refresh calibration {rate:.0f}/s; tokens per connection count {wanted}"
        + (" (capped)" if capped else ""))
    return files, info


def measure_system(system: System, workloads: list[str], connections: list[int], duration: float,
                   warmup: float, refresh_cap: int, scratch: Path) -> tuple[list[dict], dict, dict]:
    """Starts, warms up and measures one system; returns result rows, memory and details."""
    rows, steps, memory = [], [], {}
    system.start()
    server = system.server
    memory["fresh_kb"] = getattr(system, "fresh_kb", 0)
    memory["idle_kb"] = server.idle_rss_kb(1.0)
    log(f"{system.name}: idle RSS {memory['idle_kb'] / 1024:.1f} MiB")
    for key in ("get_by_id", "list_200"):
        req = system.request(key)
        if req and warmup > 0:
            run_wrk(system.port, req, 16, warmup, f"warm-{system.name}-{key}", scratch)
    slices, refresh_info = {}, None
    peak_64 = peak_any = 0
    hwm_earlier, search_info = 0, None
    for key in workloads:
        if key == "search_email_100k" and hasattr(system, "prepare_search"):
            # Its 100,000 contacts are added only now, so the earlier workloads ran on 1,000;
            # json-server restarts for it (the kernel's peak of the first process is kept).
            hwm_earlier = max(hwm_earlier, server.status_kb().get("VmHWM", 0))
            search_info = system.prepare_search()
            server = system.server
        base = system.request(key)
        if base is None:
            log(f"{system.name}: {key}: n/a")
            continue
        if key == "token_refresh" and isinstance(system, Biginbox):
            slices, refresh_info = refresh_slices(system, connections, duration, refresh_cap, scratch)
        for c in connections:
            req = Request(**{**base.__dict__, "refresh_file": slices.get(c, base.refresh_file)}) \
                if key == "token_refresh" else base
            server.memory.window()
            user_before, sys_before = server.cpu_times()
            tag = f"{system.name}-{key}-{c}-{int(time.time() * 1000) % 10**8}"
            out = run_wrk(system.port, req, c, max(duration, BY_KEY[key].min_seconds), tag, scratch)
            peak = server.memory.window()
            user_after, sys_after = server.cpu_times()
            cpu, kernel = (user_after - user_before) + (sys_after - sys_before), sys_after - sys_before
            peak_any = max(peak_any, peak)
            if c == max(connections):
                peak_64 = max(peak_64, peak)
            rows.append({
                "workload": key, "system": system.name, "connections": c,
                "requests_per_sec": round(out.requests_per_sec, 1),
                "p50_ms": round(out.p50_ms, 3), "p99_ms": round(out.p99_ms, 3),
                "errors": out.errors,
            })
            steps.append({
                "workload": key, "system": system.name, "connections": c,
                "duration_s": round(out.duration_s, 3), "requests": out.requests, "ok": out.ok,
                "bad": out.bad, "socket_errors": out.socket_errors, "p90_ms": round(out.p90_ms, 3),
                "max_ms": round(out.max_ms, 3), "acked_records": out.acked_records,
                "records_per_sec": round(out.requests_per_sec * BY_KEY[key].records_per_request, 1),
                "peak_rss_kb": peak,
                "stopped_early": out.stopped_early,
                "first_error": out.raw.get("first_error", ""),
                "max_uses_per_refresh_token": out.raw.get("max_uses_per_refresh_token", 0),
                "server_cpu_percent": round(100 * cpu / out.duration_s, 1) if out.duration_s else 0,
                "server_cpu_us_per_request": round(1e6 * cpu / out.requests, 1) if out.requests else 0,
                # The kernel's share (sockets, fsync): work no change to biginbox's code removes.
                "server_kernel_percent": round(100 * kernel / cpu, 1) if cpu else 0,
            })
            log(f"{system.name:18} {key:17} c={c:<3} {out.requests_per_sec:10.1f} req/s  "
                f"p50 {out.p50_ms:7.3f} ms  p99 {out.p99_ms:8.3f} ms  errors {out.errors}")
    memory["peak_load_kb"] = peak_any
    memory["peak_load_max_connections_kb"] = peak_64
    memory["idle_after_kb"] = server.idle_rss_kb(2.0)
    memory["hwm_kb"] = max(hwm_earlier, server.status_kb().get("VmHWM", 0))
    details = {"steps": steps}
    if search_info:
        details["search_setup"] = search_info
    if refresh_info:
        details["refresh_pool"] = refresh_info
    if isinstance(system, Biginbox):
        details["cli_id_collisions"] = {"count": len(system.id_collisions), "sample": system.id_collisions[:3]}
        # A crash right after the last acknowledged write: nothing acknowledged may be missing.
        system.crash()
        acked = system.acked_ids()
        stored = system.stored_contact_ids()
        missing = [i for i in acked if i not in stored]
        details["durability"] = {
            "method": "SIGKILL after the run, then every acknowledged id looked up in the database with SQL",
            "acknowledged": len(acked),
            "acknowledged_unique": len(set(acked)),
            "stored_contacts": len(stored),
            "seeded": len(system.seed_ids),
            "missing": len(missing),
            "missing_sample": missing[:10],
        }
        log(f"{system.name}: durability: {len(acked)} acknowledged inserts, {len(missing)} missing after SIGKILL")
    else:
        system.stop()
    return rows, memory, details


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    mode = "quick" if args.quick else "full"
    settings = dict(MODES[mode])
    if args.duration:
        settings["duration"] = args.duration
    if args.warmup is not None:
        settings["warmup"] = args.warmup
    if args.refresh_tokens:
        settings["refresh_tokens"] = args.refresh_tokens
    profile_mode = args.profile or ("never" if args.quick else "auto")
    wanted_systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    workloads = [w.strip() for w in args.workloads.split(",") if w.strip()]
    connections = [int(c) for c in args.connections.split(",")]
    for key in workloads:
        if key not in BY_KEY or BY_KEY[key].pending:
            raise SystemExit(f"unknown or pending workload: {key}")

    wrk_version = tools.ensure_wrk()
    if "json-server" in wanted_systems:
        tools.ensure_json_server()
    biginbox_bin = tools.build_biginbox()
    if "ceiling" in wanted_systems:
        tools.build_ceiling()
    if "biginbox-postgres" in wanted_systems and not tools.postgres_reachable():
        log("warning: PostgreSQL is not reachable; skipping biginbox-postgres")
        wanted_systems.remove("biginbox-postgres")

    scratch = Path(tempfile.mkdtemp(prefix="biginbox-bench-"))
    log(f"mode {mode}: {settings['duration']} s per step, connections {connections}, scratch {scratch}")
    all_rows, meta_systems = [], {}
    meta_pg_ceiling = None
    started = time.monotonic()
    load_before = [round(x, 2) for x in os.getloadavg()]
    try:
        for name in SYSTEM_ORDER:
            if name not in wanted_systems:
                continue
            if name == "ceiling":
                system = Ceiling(scratch)
            elif name == "json-server":
                system = JsonServer(scratch)
            else:
                system = Biginbox(scratch, name.split("-", 1)[1], biginbox_bin)
            try:
                rows, memory, details = measure_system(system, workloads, connections, settings["duration"],
                                                       settings["warmup"], settings["refresh_tokens"], scratch)
            finally:
                if system.server and system.server.proc.poll() is None:
                    system.stop()
                system.cleanup()
            all_rows.extend(rows)
            meta_systems[name] = {"label": system.label, "memory": memory, **details}
            if name == "biginbox-postgres":
                # Right after biginbox-postgres, on the same server: what PostgreSQL itself can
                # answer, the bound of every figure biginbox-postgres has.
                meta_pg_ceiling = pgbench.select_ceiling(connections, settings["duration"])

        meta = {
            "mode": mode,
            "step_seconds": settings["duration"],
            "warmup_seconds": settings["warmup"],
            "connections": connections,
            "refresh_tokens_at_most": settings["refresh_tokens"],
            "machine": {**machine(), "load_average_before": load_before},
            "versions": {**tools.versions(biginbox_bin), "wrk": wrk_version},
            "systems": meta_systems,
            "postgres_select_ceiling": meta_pg_ceiling,
            "wall_seconds": None,
        }
        evaluation = report.evaluate(all_rows, meta)
        if profile_mode != "never":
            misses = [t for t in evaluation if t["status"] == "missed"]
            if misses or profile_mode == "always":
                tools.ensure_valgrind()
                meta["profiles"] = profile.profile_misses(misses, biginbox_bin, scratch, meta, always=profile_mode == "always")
        meta["wall_seconds"] = round(time.monotonic() - started, 1)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(all_rows, indent=1) + "\n")
        meta_path = args.out.with_suffix(".meta.json")
        meta_path.write_text(json.dumps(meta, indent=1) + "\n")
        log(f"wrote {args.out} and {meta_path}")
        if not args.no_report:
            report.write(args.out.resolve(), meta_path.resolve())
    finally:
        if args.keep_work:
            log(f"kept scratch directory {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    return 0
