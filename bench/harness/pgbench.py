"""PostgreSQL's own ceiling on this machine: pgbench's select-only script (one primary-key read a
transaction, prepared, over pgbench's standard tables) on a database of its own, at the run's
connection counts. biginbox-postgres reads at least one row from PostgreSQL for each GET, so no
GET figure of it can pass this one, measured in the same run on the same cores."""

import re
import secrets
import subprocess
import urllib.parse

from .common import PG_ADMIN_URL, log, run

SCALE = 10  # 1,000,000 rows in pgbench_accounts


def select_ceiling(connections: list[int], seconds: float) -> dict | None:
    db = f"biginbox_pgbench_{secrets.token_hex(6)}"
    url = urllib.parse.urlunsplit(urllib.parse.urlsplit(PG_ADMIN_URL)._replace(path=f"/{db}"))
    run(["psql", PG_ADMIN_URL, "-v", "ON_ERROR_STOP=1", "-q", "-c", f'CREATE DATABASE "{db}"'])
    try:
        run(["pgbench", "-i", "-q", "-s", str(SCALE), url], capture=True)
        rates = {}
        for c in connections:
            out = subprocess.run(["pgbench", "-S", "-n", "-M", "prepared", "-c", str(c), "-j", str(min(c, 2)),
                                  "-T", str(max(1, round(seconds))), url], capture_output=True, text=True)
            found = re.search(r"tps = ([0-9.]+)", out.stdout)
            if out.returncode != 0 or not found:
                log(f"warning: pgbench failed: {out.stderr.strip()[:300]}")
                return None
            rates[c] = round(float(found.group(1)), 1)
            log(f"pgbench select-only  c={c:<3} {rates[c]:10.1f} transactions/s")
        version = subprocess.run(["pgbench", "--version"], capture_output=True, text=True).stdout.strip()
        return {"transactions_per_sec": rates, "scale": SCALE, "version": version,
                "what": "pgbench -S -M prepared: one primary-key SELECT a transaction"}
    finally:
        run(["psql", PG_ADMIN_URL, "-q", "-c", f'DROP DATABASE IF EXISTS "{db}"'], check=False)
