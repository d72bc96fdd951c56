"""Turns bench/results/latest.json (+ latest.meta.json) into BENCHMARKS.md and an SVG chart."""

from __future__ import annotations

import json
import os
import math
from pathlib import Path

from .common import ROOT, RESULTS, log
from .workloads import BY_KEY, WORKLOADS

BIGINBOX = ("biginbox-sqlite", "biginbox-postgres")
SYSTEM_ORDER = ("ceiling", "json-server", "biginbox-sqlite", "biginbox-postgres")
COLORS = {"ceiling": "#9e9e9e", "json-server": "#e0a030", "biginbox-sqlite": "#2f6fb5", "biginbox-postgres": "#3a9a5b"}
MB = 1_000_000  # targets are in MB (10^6 bytes); /proc reports KiB

GET_CEILING_SHARE = 0.5
GET_P99_MS = 10.0
JSON_SERVER_FACTOR = 10.0
BATCH_RECORDS_PER_SEC = 50_000
IDLE_MB = 30
LOAD_MB = 150


def index(rows: list[dict]) -> dict[tuple[str, str, int], dict]:
    return {(r["workload"], r["system"], r["connections"]): r for r in rows}


def ratio(rows_by: dict, workload: str, system: str, connections: int, peer: str) -> float | None:
    mine, theirs = rows_by.get((workload, system, connections)), rows_by.get((workload, peer, connections))
    if not mine or not theirs or not theirs["requests_per_sec"]:
        return None
    return mine["requests_per_sec"] / theirs["requests_per_sec"]


def mb(kb: int) -> float:
    return kb * 1024 / MB


def fmt_rate(x: float) -> str:
    return f"{x:,.0f}" if x >= 100 else f"{x:,.1f}"


def fmt_ratio(x: float | None) -> str:
    if x is None:
        return "n/a"
    return f"{x:.2f}×" if x < 10 else f"{x:.1f}×"


def evaluate(rows: list[dict], meta: dict) -> list[dict]:
    """Each target, for each biginbox backend measured: met, missed or not measured."""
    by = index(rows)
    top = max(meta["connections"])
    systems = [s for s in BIGINBOX if s in meta["systems"]]
    out = []

    def add(target_id, target, system, status, measured, workload=None, connections=None):
        out.append({"id": target_id, "target": target, "system": system, "status": status, "measured": measured,
                    "workload": workload, "connections": connections})

    for s in systems:
        # 1. GET by id against the ceiling, and its p99.
        r = ratio(by, "get_by_id", s, top, "ceiling")
        row = by.get(("get_by_id", s, top))
        if r is None:
            add("get_vs_ceiling", f"GET by id ≥ {GET_CEILING_SHARE:.0%} of the ceiling at {top} connections", s,
                "not measured", "ceiling or GET by id not run")
        else:
            add("get_vs_ceiling", f"GET by id ≥ {GET_CEILING_SHARE:.0%} of the ceiling at {top} connections", s,
                "met" if r >= GET_CEILING_SHARE else "missed",
                f"{r:.0%} ({fmt_rate(row['requests_per_sec'])} vs {fmt_rate(by[('get_by_id', 'ceiling', top)]['requests_per_sec'])} req/s)",
                "get_by_id", top)
        if row:
            add("get_p99", f"GET by id p99 < {GET_P99_MS:g} ms at {top} connections", s,
                "met" if row["p99_ms"] < GET_P99_MS else "missed", f"p99 {row['p99_ms']:.2f} ms", "get_by_id", top)

        # 2. Ten times json-server on every workload json-server can do, at every connection count.
        worst = None
        for w in WORKLOADS:
            for c in meta["connections"]:
                r = ratio(by, w.key, s, c, "json-server")
                if r is not None and (worst is None or r < worst[0]):
                    worst = (r, w.key, c)
        if worst is None:
            add("vs_json_server", f"≥ {JSON_SERVER_FACTOR:g}× json-server on every workload it can do", s,
                "not measured", "json-server not run")
        else:
            misses = sorted({(w.key, c) for w in WORKLOADS for c in meta["connections"]
                             if (r := ratio(by, w.key, s, c, "json-server")) is not None and r < JSON_SERVER_FACTOR})
            pairs = sum(1 for w in WORKLOADS for c in meta["connections"]
                        if ratio(by, w.key, s, c, "json-server") is not None)
            measured = f"lowest {worst[0]:.1f}× ({worst[1]}, {worst[2]} conn.); {len(misses)} of {pairs} below 10×"
            add("vs_json_server", f"≥ {JSON_SERVER_FACTOR:g}× json-server on every workload it can do", s,
                "met" if not misses else "missed", measured, worst[1], worst[2])

        # 3. Durability of every acknowledged insert (both backends), batch throughput (SQLite).
        dur = meta["systems"][s].get("durability")
        if dur and dur["acknowledged"] == 0:
            add("durable", "every acknowledged insert durable (SIGKILL, then SQL)", s, "not measured",
                "no insert workload ran")
        elif dur:
            add("durable", "every acknowledged insert durable (SIGKILL, then SQL)", s,
                "met" if dur["missing"] == 0 else "missed", f"{dur['acknowledged']:,} acknowledged, {dur['missing']:,} missing")
        if s == "biginbox-sqlite":
            best = max((by[k] for k in by if k[0] == "insert_batch_100" and k[1] == s),
                       key=lambda r: r["requests_per_sec"], default=None)
            if best:
                rate = best["requests_per_sec"] * 100
                add("batch_rate", f"batch inserts ≥ {BATCH_RECORDS_PER_SEC:,} records/s on SQLite", s,
                    "met" if rate >= BATCH_RECORDS_PER_SEC else "missed",
                    f"{rate:,.0f} records/s (best, at {best['connections']} conn.)", "insert_batch_100",
                    best["connections"])

        # 4. Memory.
        mem = meta["systems"][s]["memory"]
        add("idle_rss", f"idle RSS < {IDLE_MB} MB", s, "met" if mb(mem["idle_kb"]) < IDLE_MB else "missed",
            f"{mb(mem['idle_kb']):.1f} MB")
        peak = mem["peak_load_max_connections_kb"]
        top_steps = [st for st in meta["systems"][s].get("steps", []) if st["connections"] == top]
        where = max(top_steps, key=lambda st: st["peak_rss_kb"], default=None)
        others = max((st["peak_rss_kb"] for st in top_steps if st["workload"] != "token_refresh"), default=0)
        measured = f"peak {mb(peak):.1f} MB"
        if where:
            measured += f" (in {where['workload']})"
        if where and where["workload"] == "token_refresh":
            measured += f"; {mb(others):.1f} MB in the other workloads"
        add("load_rss", f"RSS < {LOAD_MB} MB under the {top}-connection load", s,
            "met" if mb(peak) < LOAD_MB else "missed", measured)
    return out


def biginbox_errors(rows: list[dict]) -> list[dict]:
    return [r for r in rows if r["system"] in BIGINBOX and r["errors"]]


# -- the chart ----------------------------------------------------------------------------------

def esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def chart(rows: list[dict], meta: dict) -> str:
    """Horizontal bars, log scale: one panel per connection count, one group per workload."""
    by = index(rows)
    systems = [s for s in SYSTEM_ORDER if any(r["system"] == s for r in rows)]
    workloads = [w for w in WORKLOADS if not w.pending and any(r["workload"] == w.key for r in rows)]
    conns = meta["connections"]
    values = [r["requests_per_sec"] for r in rows if r["requests_per_sec"] > 0]
    lo = 10 ** math.floor(math.log10(min(values))) if values else 1
    hi = 10 ** math.ceil(math.log10(max(values))) if values else 10
    label_w, panel_w, gap, bar_h, group_gap, top, bottom = 190, 300, 30, 9, 12, 60, 50
    group_h = len(systems) * bar_h + group_gap
    height = top + len(workloads) * group_h + bottom
    width = label_w + len(conns) * (panel_w + gap) + 10

    def x_of(v: float) -> float:
        v = max(v, lo)
        return panel_w * (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'font-family="sans-serif" font-size="11" viewBox="0 0 {width} {height}">',
             f'<rect width="{width}" height="{height}" fill="white"/>',
             f'<text x="10" y="20" font-size="14" font-weight="bold">Throughput by workload '
             f'(successful requests/s, log scale; {esc(meta["machine"]["date"])})</text>']
    # Legend.
    lx = 10
    for s in systems:
        parts.append(f'<rect x="{lx}" y="30" width="10" height="10" fill="{COLORS[s]}"/>')
        parts.append(f'<text x="{lx + 14}" y="39">{esc(s)}</text>')
        lx += 24 + 7 * len(s)
    for pi, c in enumerate(conns):
        px = label_w + pi * (panel_w + gap)
        parts.append(f'<text x="{px + panel_w / 2}" y="{top - 6}" text-anchor="middle" font-weight="bold">'
                     f'{c} connection{"s" if c != 1 else ""}</text>')
        decade = lo
        while decade <= hi:
            gx = px + x_of(decade)
            parts.append(f'<line x1="{gx:.1f}" y1="{top}" x2="{gx:.1f}" y2="{height - bottom + 4}" stroke="#ddd"/>')
            label = f"{decade / 1000:g}k" if decade >= 1000 else f"{decade:g}"
            parts.append(f'<text x="{gx:.1f}" y="{height - bottom + 16}" text-anchor="middle" fill="#555">{label}</text>')
            decade *= 10
        for wi, w in enumerate(workloads):
            gy = top + wi * group_h
            for si, s in enumerate(systems):
                row = by.get((w.key, s, c))
                y = gy + si * bar_h
                if row is None:
                    parts.append(f'<text x="{px + 2}" y="{y + bar_h - 1}" font-size="8" fill="#999">n/a</text>')
                    continue
                bw = max(1.0, x_of(row["requests_per_sec"]))
                parts.append(f'<rect x="{px}" y="{y}" width="{bw:.1f}" height="{bar_h - 1}" fill="{COLORS[s]}">'
                             f'<title>{esc(s)}, {esc(w.title)}, {c} conn.: {fmt_rate(row["requests_per_sec"])} req/s</title></rect>')
                parts.append(f'<text x="{px + bw + 3:.1f}" y="{y + bar_h - 1}" font-size="8">'
                             f'{fmt_rate(row["requests_per_sec"])}</text>')
    for wi, w in enumerate(workloads):
        gy = top + wi * group_h + len(systems) * bar_h / 2 + 4
        parts.append(f'<text x="{label_w - 8}" y="{gy:.1f}" text-anchor="end">{esc(w.title)}</text>')
    parts.append(f'<text x="10" y="{height - 12}" fill="#555">Generated by bench/report from bench/results/latest.json. '
                 f'Batch inserts count requests (100 records each).</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


# -- BENCHMARKS.md ------------------------------------------------------------------------------

def markdown(rows: list[dict], meta: dict, chart_rel: str) -> str:
    by = index(rows)
    m, v = meta["machine"], meta["versions"]
    systems = [s for s in SYSTEM_ORDER if s in meta["systems"]]
    targets = evaluate(rows, meta)
    errs = biginbox_errors(rows)
    L = ["# Benchmarks", ""]
    L.append("<!-- Generated by bench/report from bench/results/latest.json and latest.meta.json; "
             "edits here are overwritten. Run bench/run (or bench/run --quick) to refresh. -->")
    L.append("")
    if errs:
        total = sum(r["errors"] for r in errs)
        where = ", ".join(f"{r['system']} {r['workload']} c={r['connections']}: {r['errors']}" for r in errs)
        L += [f"> **This run had errors in biginbox's answers: {total:,} non-2xx or invalid answers** ({where}). "
              "Figures with errors are not clean measurements.", ""]
    else:
        L += ["> No errors: every answer biginbox gave in this run was the 2xx (and, for writes and token "
              "refreshes, the success body) that was expected.", ""]
    missed = [t for t in targets if t["status"] == "missed"]
    L.append(f"Run of {m['date']} ({meta['mode']} mode: {meta['step_seconds']:g} s per workload and connection count, "
             f"after {meta['warmup_seconds']:g} s of warm-up per read workload). "
             f"Targets: {sum(t['status'] == 'met' for t in targets)} met, {len(missed)} missed"
             + (f", {sum(t['status'] == 'not measured' for t in targets)} not measured" if any(t['status'] == 'not measured' for t in targets) else "")
             + ". How to run and how to read the figures: [bench/README.md](bench/README.md).")
    if meta["mode"] == "quick":
        L.append("")
        L.append("*A quick run (1 s steps) is noisy; take its figures as indications, and a full run's as the record.*")
    L += ["", "## Machine", "",
          "| | |", "|---|---|",
          f"| CPU | {m['cpu']} |", f"| Cores | {m['cores']} |", f"| Memory | {m['memory_gib']} GiB |",
          f"| OS | {m['os']} |", f"| Date | {m['date']} |",
          *([f"| Load average (1, 5, 15 min) | {', '.join(map(str, m['load_average_before']))} before the run, "
             f"{', '.join(map(str, m['load_average_1_5_15']))} at its end |"] if m.get("load_average_before") else []),
          f"| biginbox | {v.get('biginbox', '?')}, commit {v.get('commit', '?')}, release build |",
          f"| Toolchain | {v.get('rustc', '?')} |",
          f"| Load generator | wrk {v.get('wrk', '?')} (Debian), threads = min(connections, 2), on the same machine |",
          f"| Peers | json-server {v.get('json-server', '?')} on Node {v.get('node', '?')}; PostgreSQL {v.get('postgresql', '?')} |",
          "", "Load generator and servers share the same cores, so absolute figures are lower than on a "
          "dedicated load machine; the ratios, measured in the same run on the same machine, are what the targets use.",
          ""]

    L += ["## Targets", "", "| Target | System | Measured | Status |", "|---|---|---|---|"]
    for t in targets:
        mark = {"met": "met", "missed": "**missed**"}.get(t["status"], t["status"])
        L.append(f"| {t['target']} | {t['system']} | {t['measured']} | {mark} |")
    L.append("")

    profiles = meta.get("profiles") or []
    notes = RESULTS / "notes.md"
    if missed or profiles:
        L += ["## What the profiles show", ""]
        if notes.exists():
            L += [notes.read_text().strip(), ""]
        if not profiles:
            L += ["*This run made no profiles (a quick run does not; `bench/run` profiles the missed targets, "
                  "`bench/run --profile always` forces it).*", ""]
        for p in profiles:
            L += [f"### {p['system']}: {BY_KEY[p['workload']].title}, {p['connections']} connections "
                  f"({p['tool']}, {p['seconds']:g} s)", ""]
            if p.get("why"):
                L += [f"Profiled because: {p['why']}.", ""]
            if p.get("groups"):
                L.append("Where the instructions go, grouped by component (self cost): "
                         + "; ".join(f"{g['group']} {g['percent']:.1f}%" for g in p["groups"]) + ".")
                L.append("")
            if p.get("instructions_per_request"):
                L.append(f"Instructions per request under callgrind: {p['instructions_per_request']:,} "
                         f"({p['requests_profiled']:,} requests in {p['seconds']:g} s).")
                L.append("")
            if p.get("server_cpu_percent") is not None:
                L.append(f"Server CPU during the full-speed step: {p['server_cpu_percent']:.0f}% of one core "
                         f"({p.get('server_cpu_us_per_request', 0):.0f} µs of CPU per request).")
                L.append("")
            if p.get("markers"):
                L.append("Named costs (inclusive, share of all instructions): "
                         + "; ".join(f"{mk['what']} {mk['percent']:.1f}%" for mk in p["markers"]) + ".")
                L.append("")
            if p.get("top"):
                L += ["Functions by self cost:", "", "| Self % | Function |", "|---:|---|"]
                for f in p["top"][:12]:
                    L.append(f"| {f['percent']:.1f} | `{f['function']}` |")
                L.append("")
            if p.get("own_inclusive"):
                L += ["biginbox's own functions by inclusive cost (what they and their callees cost; nested "
                      "functions overlap):", "", "| Inclusive % | Function |", "|---:|---|"]
                for f in p["own_inclusive"][:10]:
                    L.append(f"| {f['percent']:.1f} | `{f['function']}` |")
                L.append("")
            if p.get("error"):
                L += [f"No profile: {p['error']}.", ""]
            if p.get("file"):
                L += [f"Full annotation: `{p['file']}` (not committed; regenerate with `bench/run --profile always`).", ""]

    L += ["## Throughput", "", f"![Throughput by workload]({chart_rel})", ""]

    L += ["## Results", "",
          "Requests/s counts successful answers only (2xx, and for writes and refreshes the success body). "
          "“× ceiling” and “× json-server” divide a figure by that peer's at the same workload and "
          "connection count in this run; n/a where the peer cannot do the workload.", ""]
    for w in WORKLOADS:
        L += [f"### {w.title}", "", f"`{w.what}`", ""]
        if w.pending:
            L += [f"*Pending — {w.pending}. No figures yet (deliberately not faked).*", ""]
            continue
        L += ["| System | Conn. | Requests/s | × ceiling | × json-server | p50 ms | p99 ms | Errors |",
              "|---|---:|---:|---:|---:|---:|---:|---:|"]
        for s in systems:
            for c in meta["connections"]:
                row = by.get((w.key, s, c))
                if row is None:
                    L.append(f"| {s} | {c} | n/a | | | | | |")
                    continue
                if row["requests_per_sec"] == 0 and row["p50_ms"] == 0:
                    L.append(f"| {s} | {c} | 0 (no answer within the step) | | | — | — | {row['errors']} |")
                    continue
                rate = fmt_rate(row["requests_per_sec"])
                if w.records_per_request > 1:
                    rate += f" ({fmt_rate(row['requests_per_sec'] * w.records_per_request)} records/s)"
                rc = fmt_ratio(ratio(by, w.key, s, c, "ceiling")) if s != "ceiling" else "1×"
                rj = fmt_ratio(ratio(by, w.key, s, c, "json-server")) if s != "json-server" else "1×"
                L.append(f"| {s} | {c} | {rate} | {rc} | {rj} | {row['p50_ms']:.2f} | {row['p99_ms']:.2f} | {row['errors']} |")
        L.append("")

    pg = meta.get("postgres_select_ceiling")
    if pg and pg.get("transactions_per_sec"):
        gets = {c: by[("get_by_id", "biginbox-postgres", c)]["requests_per_sec"] for c in meta["connections"]
                if ("get_by_id", "biginbox-postgres", c) in by}
        L += ["## PostgreSQL's own ceiling", "",
              f"`{pg['what']}` ({pg.get('version', 'pgbench')}, scale {pg['scale']}), run right after "
              "biginbox-postgres against the same server: the most single-row reads PostgreSQL answers on these "
              "cores. Each GET of biginbox-postgres needs one such read (its token is cached), so no GET figure "
              "of biginbox-postgres can pass this one.", "",
              "| Conn. | pgbench select-only, transactions/s | biginbox-postgres GET by id, req/s | share |",
              "|---:|---:|---:|---:|"]
        for c, tps in sorted((int(k), v) for k, v in pg["transactions_per_sec"].items()):
            get = gets.get(c)
            share = f"{get / tps:.0%}" if get and tps else "—"
            L.append(f"| {c} | {fmt_rate(tps)} | {fmt_rate(get) if get else '—'} | {share} |")
        L.append("")

    L += ["## Memory", "",
          "Resident set size of the server process (`/proc/<pid>/status` VmRSS, sampled every 50 ms; VmHWM is "
          "the kernel's own peak). Fresh: just started, nothing answered but the readiness probe. Idle: after "
          "setup (biginbox: one client's code exchanged for the API token) and seeding, before any load; the "
          "idle target is judged on this one. 1 MB = 10^6 bytes.", "",
          f"| System | Fresh | Idle | Peak, {max(meta['connections'])}-conn. load | Peak, any load | VmHWM | Idle after the run |",
          "|---|---:|---:|---:|---:|---:|---:|"]
    for s in systems:
        mem = meta["systems"][s]["memory"]
        fresh = f"{mb(mem['fresh_kb']):.1f} MB" if mem.get("fresh_kb") else "—"
        L.append(f"| {s} | {fresh} | {mb(mem['idle_kb']):.1f} MB | {mb(mem['peak_load_max_connections_kb']):.1f} MB | "
                 f"{mb(mem['peak_load_kb']):.1f} MB | {mb(mem['hwm_kb']):.1f} MB | {mb(mem['idle_after_kb']):.1f} MB |")
    L.append("")
    L += ["Peak RSS during each step, in MB, in run order (biginbox's token-refresh steps come after the harness "
          "registered the Self Clients their refresh tokens need):", "",
          "| Workload | Conn. | " + " | ".join(systems) + " |", "|---|---:|" + "---:|" * len(systems)]
    peaks = {s: {(st["workload"], st["connections"]): st["peak_rss_kb"] for st in meta["systems"][s].get("steps", [])}
             for s in systems}
    for w in WORKLOADS:
        for c in meta["connections"]:
            if not any((w.key, c) in peaks[s] for s in systems):
                continue
            L.append(f"| {w.key} | {c} | " + " | ".join(f"{mb(peaks[s][(w.key, c)]):.0f}" if (w.key, c) in peaks[s]
                                                         else "n/a" for s in systems) + " |")
    L.append("")

    L += ["## Durability", ""]
    for s in systems:
        dur = meta["systems"][s].get("durability")
        if dur:
            L.append(f"- **{s}**: {dur['acknowledged']:,} inserts acknowledged with `SUCCESS` during the run; the "
                     f"server was then killed with SIGKILL and the database read with SQL: {dur['missing']:,} "
                     f"acknowledged records missing ({dur['stored_contacts']:,} live contacts stored, "
                     f"{dur['seeded']:,} of them seeded; requests cut off at the end of a step may add a few "
                     "unacknowledged ones).")
    L.append("")

    L += ["## Token-refresh pool and setup", ""]
    for s in systems:
        pool = meta["systems"][s].get("refresh_pool")
        if pool:
            steps = [st for st in meta["systems"][s]["steps"] if st["workload"] == "token_refresh"]
            most = max((st.get("max_uses_per_refresh_token", 0) for st in steps), default=0)
            early = [str(st["connections"]) for st in steps if st.get("stopped_early")]
            L.append(f"- **{s}**: calibration {pool['calibration_rate']:,.0f} refreshes/s; refresh tokens per connection "
                     f"count {', '.join(f'{c}: {n}' for c, n in pool['tokens'].items())}"
                     f"{' (capped)' if pool.get('capped') else ''}; at most {most} refreshes sent per token "
                     f"(limit {pool['max_uses_per_token']})"
                     + (f"; pool used up early at {', '.join(early)} connections (rate counted over the time run)" if early else "")
                     + ".")
        coll = meta["systems"][s].get("cli_id_collisions")
        if coll and coll["count"]:
            L.append(f"- **{s}**: {coll['count']} `biginbox` CLI commands run four at a time failed with an id collision "
                     f"(`{coll['sample'][0]}`) and were retried: ids minted in separate processes can collide.")
    L.append("")

    L += ["## Server CPU per step", "",
          "CPU time the server process used during each step (user + system, all threads), as a share of one "
          "core and per request: a server well below 200% while the load generator waits is waiting on "
          "something else (disk syncs, locks, the database). Kernel: the system time's share of it (sockets, "
          "`fsync`, file locks).", "",
          "| Workload | System | Conn. | CPU % | Kernel | CPU µs/request |", "|---|---|---:|---:|---:|---:|"]
    for s in systems:
        for st in meta["systems"][s].get("steps", []):
            if st["connections"] == max(meta["connections"]):
                per = st.get("server_cpu_us_per_request", 0)
                kernel = f"{st['server_kernel_percent']:.0f}%" if "server_kernel_percent" in st else "—"
                L.append(f"| {st['workload']} | {s} | {st['connections']} | {st.get('server_cpu_percent', 0):.0f} | "
                         f"{kernel} | {f'{per:.0f}' if per else '—'} |")
    L.append("")
    return "\n".join(L)


def write(results: Path = RESULTS / "latest.json", meta_path: Path | None = None) -> Path:
    """Writes the chart beside the results, and BENCHMARKS.md (for bench/results/latest.json) or
    <results>.md (for results kept elsewhere)."""
    meta_path = meta_path or results.with_suffix(".meta.json")
    rows = json.loads(results.read_text())
    meta = json.loads(meta_path.read_text())
    official = results.resolve() == (RESULTS / "latest.json").resolve()
    svg = results.parent / ("throughput.svg" if official else results.stem + ".svg")
    svg.write_text(chart(rows, meta))
    out = ROOT / "BENCHMARKS.md" if official else results.with_suffix(".md")
    out.write_text(markdown(rows, meta, os.path.relpath(svg, out.parent)))
    log(f"wrote {out} and {svg}")
    return out
