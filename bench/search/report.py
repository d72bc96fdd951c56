#!/usr/bin/env python3
"""Turns bench/search/results.json into the tables of bench/search/REPORT.md (printed)."""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TARGET_MS = 5.0
MAX_GROWTH = 3.0


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "results.json")
    report = json.load(open(path))
    sizes = report["sizes"]
    out = []
    for run in report["runs"]:
        backend = run["backend"]
        steps = {s["contacts"]: s for s in run["steps"]}
        out.append(f"### {backend}\n")
        out.append("Server-side time (`Server-Timing`), median / p99, in ms.\n")
        header = "| query | " + " | ".join(f"{n:,} contacts" for n in sizes) + " | 1M ≤ 5 ms | 1M ≤ 3× 10k |"
        out.append(header)
        out.append("|" + "---|" * (len(sizes) + 3))
        names = [r["query"] for r in run["steps"][0]["results"]]
        for name in names:
            cells, medians = [], {}
            for n in sizes:
                r = next(x for x in steps[n]["results"] if x["query"] == name)
                medians[n] = r["median_ms"]
                cells.append(f"{r['median_ms']:.2f} / {r['p99_ms']:.2f}")
            big, small = medians[sizes[-1]], medians[sizes[0]]
            under = "yes" if big <= TARGET_MS else "**no**"
            growth = big / small if small else float("inf")
            flat = f"yes ({growth:.1f}×)" if growth <= MAX_GROWTH else f"**no** ({growth:.1f}×)"
            out.append(f"| {name} | " + " | ".join(cells) + f" | {under} | {flat} |")
        out.append("")
        seeds = []
        for n in sizes:
            c = steps[n]["seed"]["contacts"]
            if c:
                seeds.append(f"{c['written']:,} contacts in {c['seconds']:.1f} s ({c['records_per_second']:,.0f}/s)")
        b = run["second_org"]["b_contacts"]
        out.append(f"Seeding ({backend}): organization B {b['written']:,} contacts at {b['records_per_second']:,.0f}/s; organization A " + "; ".join(seeds) + ".\n")
    out.append("### Plans at the largest size\n")
    for run in report["runs"]:
        last = run["steps"][-1]
        out.append(f"#### {run['backend']} ({last['contacts']:,} contacts)\n")
        for name, lines in last["plans"].items():
            out.append(f"{name}:\n")
            out.append("```")
            out.extend(lines)
            out.append("```\n")
    print("\n".join(out))


if __name__ == "__main__":
    main()
