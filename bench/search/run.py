#!/usr/bin/env python3
"""Search, COQL and count latency at 10k, 100k and 1M Contacts, on SQLite and PostgreSQL.

For each backend: a fresh database with organization A (the one queried) and organization B
(100,000 contacts beside it), grown in steps with `biginbox seed` (A gets N contacts and N/20
companies). After each step `biginbox serve` starts, each query runs WARMUP times unmeasured and
ITERATIONS times measured, and the server-side time of each answer is read from its
`Server-Timing: app;dur=<ms>` header (authentication, handler and store; not the network). Every
answer must be 2xx (204, nothing found, is counted apart); any other status stops the run with
the request and the answer. The plans come from `biginbox explain` and are checked for a full scan
of the records table. Results go to bench/search/results.json (with the machine, commit, date and
load average) and the Markdown summary of report.py is printed at the end; the exit status is 1
when a judged target is missed or a plan scans every record.

Usage: bench/search/run.py [--sizes 10000,100000,1000000] [--backends sqlite,postgres]
                           [--iterations 200] [--second 100000] [--bin target/release/biginbox]
Sends requests to 127.0.0.1 only; every loop is bounded. See bench/search/README.md.
"""

import argparse
import datetime
import http.client
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import report as report_md  # noqa: E402  (bench/search/report.py, beside this file)
PG_ADMIN = os.environ.get("BIGINBOX_TEST_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
SCOPES = "ZohoBigin.modules.ALL,ZohoSearch.securesearch.READ,ZohoBigin.coql.READ"
SECOND_ORG = 100_000
WARMUP = 20


def run(binary, db, *args):
    out = subprocess.run([binary, "--database-url", db, *args], check=True, capture_output=True, text=True)
    return out.stdout


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, binary, db):
        self.port = free_port()
        self.proc = subprocess.Popen(
            [binary, "--database-url", db, "serve", "--listen", f"127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "BIGINBOX_LOG": "warn"},
        )
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def request(self, method, path, token=None, body=None, form=None):
        headers = {}
        if token:
            headers["Authorization"] = f"Zoho-oauthtoken {token}"
        data = None
        if body is not None:
            data = json.dumps(body)
            headers["Content-Type"] = "application/json"
        if form is not None:
            data = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        self.conn.request(method, path, body=data, headers=headers)
        resp = self.conn.getresponse()
        text = resp.read()
        client_ms = (time.perf_counter() - started) * 1000
        timing = resp.getheader("server-timing") or ""
        server_ms = float(timing.split("dur=")[1]) if "dur=" in timing else None
        return resp.status, (json.loads(text) if text else None), server_ms, client_ms

    def stop(self):
        self.conn.close()
        self.proc.terminate()
        self.proc.wait(timeout=30)


def q(text):
    return urllib.parse.quote(text, safe="")


def percentile(values, p):
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1)))))
    return ordered[k]


def sample(server, token):
    """Values to query with, taken from the records themselves (spread over the first 10,000)."""
    rows = []
    for offset in range(0, 10_000, 1_000):
        body = {"select_query": f"select First_Name, Last_Name, Email, Phone, Account_Name from Contacts where id is not null limit 200 offset {offset}"}
        status, data, _, _ = server.request("POST", "/bigin/v2/coql", token, body=body)
        if status == 200:
            rows.extend(r for r in data["data"] if r.get("Account_Name"))
        elif status != 204:
            fail(f"sampling the records answered {status}: {data}")
    rows = rows[:: max(1, len(rows) // 100)][:100]
    if not rows:
        fail("no contact with a company to take query values from: is organization A seeded?")
    return rows


def fail(message):
    print(f"FAILED: {message}", file=sys.stderr, flush=True)
    sys.exit(2)


def queries(rows):
    """(name, kind, list of (method, path, body)) for each measured query."""
    def each(fn):
        return [fn(r) for r in rows]

    return [
        ("email equals (search email=)", "indexed", each(lambda r: ("GET", f"/bigin/v2/Contacts/search?email={q(r['Email'])}", None))),
        ("Last_Name starts_with (3 letters)", "indexed", each(lambda r: ("GET", f"/bigin/v2/Contacts/search?criteria={q('(Last_Name:starts_with:' + r['Last_Name'][:3] + ')')}", None))),
        ("and: Last_Name equals + First_Name equals", "indexed", each(lambda r: ("GET", f"/bigin/v2/Contacts/search?criteria={q('((Last_Name:equals:' + r['Last_Name'] + ')and(First_Name:equals:' + r['First_Name'] + '))')}", None))),
        ("or: Email equals or Phone starts_with", "indexed", each(lambda r: ("GET", f"/bigin/v2/Contacts/search?criteria={q('((Email:equals:' + r['Email'] + ')or(Phone:starts_with:' + r['Phone'][:9] + '))')}", None))),
        ("word (a surname)", "indexed", each(lambda r: ("GET", f"/bigin/v2/Contacts/search?word={q(r['Last_Name'])}", None))),
        ("word (an e-mail's user part)", "indexed", each(lambda r: ("GET", f"/bigin/v2/Contacts/search?word={q(r['Email'].split('@')[0])}", None))),
        ("COQL where Account_Name = id order by Modified_Time desc limit 200", "indexed", each(lambda r: ("POST", "/bigin/v2/coql", {"select_query": f"select Last_Name, Email from Contacts where Account_Name = '{r['Account_Name']['id']}' order by Modified_Time desc limit 200"}))),
        ("COQL where Last_Name = x order by Modified_Time desc limit 200", "indexed", each(lambda r: ("POST", "/bigin/v2/coql", {"select_query": f"select Last_Name, Email from Contacts where Last_Name = '{r['Last_Name'].replace(chr(39), chr(92) + chr(39))}' order by Modified_Time desc limit 200"}))),
        ("count with Last_Name equals", "indexed", each(lambda r: ("GET", f"/bigin/v2/Contacts/actions/count?criteria={q('(Last_Name:equals:' + r['Last_Name'] + ')')}", None))),
        ("count with Account_Name equals", "indexed", each(lambda r: ("GET", f"/bigin/v2/Contacts/actions/count?criteria={q('(Account_Name:equals:' + r['Account_Name']['id'] + ')')}", None))),
    ]


PLANS = [
    ("email equals", ["--email", "{Email}"]),
    ("Last_Name starts_with", ["--criteria", "(Last_Name:starts_with:{Last3})"]),
    ("and", ["--criteria", "((Last_Name:equals:{Last_Name})and(First_Name:equals:{First_Name}))"]),
    ("or", ["--criteria", "((Email:equals:{Email})or(Phone:starts_with:{Phone9}))"]),
    ("word", ["--word", "{Last_Name}"]),
    ("COQL Account_Name order by Modified_Time", ["--coql", "select Last_Name from Contacts where Account_Name = '{Account}' order by Modified_Time desc limit 200"]),
    ("count Last_Name equals", ["--criteria", "(Last_Name:equals:{Last_Name})", "--count"]),
]


def measure(server, token, rows, iterations):
    results = []
    for name, kind, calls in queries(rows):
        server_ms, client_ms, statuses = [], [], {}
        for i in range(WARMUP + iterations):
            method, path, body = calls[i % len(calls)]
            status, answer, s_ms, c_ms = server.request(method, path, token, body=body)
            # A refused or failed request measures nothing worth reporting: stop loudly.
            if not 200 <= status < 300:
                fail(f"{name}: {method} {path} {json.dumps(body) if body else ''} answered {status}: {answer}")
            if s_ms is None:
                fail(f"{name}: the answer has no Server-Timing header")
            statuses[str(status)] = statuses.get(str(status), 0) + 1
            if i >= WARMUP:
                server_ms.append(s_ms)
                client_ms.append(c_ms)
        results.append({
            "query": name,
            "kind": kind,
            "median_ms": round(statistics.median(server_ms), 3),
            "p99_ms": round(percentile(server_ms, 99), 3),
            "client_median_ms": round(statistics.median(client_ms), 3),
            "statuses": statuses,
        })
        print(f"    {name}: median {results[-1]['median_ms']} ms, p99 {results[-1]['p99_ms']} ms {statuses}", flush=True)
    return results


def plans(binary, db, org, row):
    values = {
        "Email": row["Email"], "Last3": row["Last_Name"][:3], "Last_Name": row["Last_Name"], "First_Name": row["First_Name"],
        "Phone9": row["Phone"][:9], "Account": row["Account_Name"]["id"],
    }
    out = {}
    for name, args in PLANS:
        filled = [a.format(**values) for a in args]
        out[name] = run(binary, db, "explain", "--org-id", org, *filled).rstrip("\n").split("\n")
        if report_md.full_scan(out[name]):
            print(f"    WARNING: the plan of {name} reads every record (flagged in the report)", flush=True)
    return out


def seed(binary, db, org, module, count, start, seed_value):
    if count <= 0:
        return None
    out = run(binary, db, "seed", "--org-id", org, "--module", module, "--count", str(count), "--start", str(start), "--seed", str(seed_value), "--json")
    report = json.loads(out)
    print(f"    seeded {report['written']} {module} in {report['seconds']:.1f} s ({report['records_per_second']:.0f}/s)", flush=True)
    return report


def token_for(binary, db, server, org, email):
    client = json.loads(run(binary, db, "clients", "create", "--type", "self", "--owner-email", email, "--json"))
    code = json.loads(run(binary, db, "codes", "create", "--client-id", client["client_id"], "--org-id", org, "--scope", SCOPES, "--json"))["code"]
    status, body, _, _ = server.request("POST", "/oauth/v2/token", form={
        "grant_type": "authorization_code", "client_id": client["client_id"], "client_secret": client["client_secret"], "code": code,
    })
    assert status == 200 and "access_token" in body, body
    return body["access_token"]


def bench_backend(binary, backend, sizes, iterations, second):
    tmp = tempfile.mkdtemp(prefix="biginbox-search-bench-")
    if backend == "sqlite":
        db = f"sqlite://{tmp}/bench.db"
        pg_name = None
    else:
        pg_name = f"biginbox_search_bench_{os.getpid()}"
        subprocess.run(["psql", PG_ADMIN, "-qc", f"CREATE DATABASE {pg_name}"], check=True)
        db = PG_ADMIN.rsplit("/", 1)[0] + "/" + pg_name
    try:
        run(binary, db, "migrate")
        org_a = json.loads(run(binary, db, "orgs", "create", "--name", "Org A", "--admin-email", "admin@a.example", "--json"))["org_id"]
        org_b = json.loads(run(binary, db, "orgs", "create", "--name", "Org B", "--admin-email", "admin@b.example", "--json"))["org_id"]
        print(f"== {backend}", flush=True)
        seeds = {"b_accounts": seed(binary, db, org_b, "Accounts", second // 20, 0, 2), "b_contacts": seed(binary, db, org_b, "Contacts", second, 0, 2)}
        done, steps = 0, []
        for size in sizes:
            print(f"  {size} contacts in organization A", flush=True)
            acc = seed(binary, db, org_a, "Accounts", size // 20 - done // 20, done // 20, 1)
            con = seed(binary, db, org_a, "Contacts", size - done, done, 1)
            done = size
            server = Server(binary, db)
            try:
                token = token_for(binary, db, server, org_a, "admin@a.example")
                rows = sample(server, token)
                results = measure(server, token, rows, iterations)
            finally:
                server.stop()
            steps.append({"contacts": size, "seed": {"accounts": acc, "contacts": con}, "results": results, "plans": plans(binary, db, org_a, rows[0])})
        return {"backend": backend, "second_org": seeds, "steps": steps}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if pg_name:
            subprocess.run(["psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)"], check=False)


def machine():
    cpu, mem_kb = platform.processor() or "unknown", 0
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), cpu)
        with open("/proc/meminfo") as f:
            mem_kb = next((int(l.split()[1]) for l in f if l.startswith("MemTotal:")), 0)
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(mem_kb / 1024 / 1024, 1),
            "os": f"{platform.system()} {platform.release()}", "host": platform.node()}


def commit():
    def git(*args):
        r = subprocess.run(["git", "-C", ROOT, *args], capture_output=True, text=True)
        return r.stdout.strip() if r.returncode == 0 else ""
    head = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "crates", "Cargo.lock")
    return head + (" (with uncommitted changes under crates/)" if dirty else "")


def load_average():
    return [round(x, 2) for x in os.getloadavg()]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", default="10000,100000,1000000")
    p.add_argument("--backends", default="sqlite,postgres")
    p.add_argument("--iterations", type=int, default=200)
    p.add_argument("--second", type=int, default=SECOND_ORG, help="contacts of organization B")
    p.add_argument("--bin", default=os.path.join(ROOT, "target/release/biginbox"))
    p.add_argument("--out", default=os.path.join(HERE, "results.json"))
    args = p.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    backends = args.backends.split(",")
    if any(b not in ("sqlite", "postgres") for b in backends) or args.iterations < 1 or args.second < 0 or sizes[0] < 20:
        p.error("backends are sqlite and postgres; --iterations ≥ 1, --second ≥ 0, every size ≥ 20")
    if not os.access(args.bin, os.X_OK):
        p.error(f"{args.bin} is not an executable: build it with cargo build --release -p biginbox, or pass --bin")
    version = subprocess.run([args.bin, "--version"], capture_output=True, text=True).stdout.strip() or "unknown"
    meta = {"machine": machine(), "commit": commit(), "biginbox": version,
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "load_average_start": load_average()}
    report = {"sizes": sizes, "iterations": args.iterations, "second_org_contacts": args.second, "cpus": os.cpu_count(),
              "meta": meta, "runs": []}
    for backend in backends:
        report["runs"].append(bench_backend(args.bin, backend, sizes, args.iterations, args.second))
    meta["load_average_end"] = load_average()
    with open(args.out, "w") as f:
        json.dump(report, f, indent=1)
    print(f"wrote {args.out}\n", flush=True)
    text, passed = report_md.render(report)
    print(text)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
