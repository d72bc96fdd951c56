"""The systems under test: how each is set up, started, seeded and torn down.

Each system knows how to express the workloads it can do as a wrk `Request`; `None` means the
system cannot do that workload (reported as n/a).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .common import CEILING_BIN, BENCH, HOST, PG_ADMIN_URL, Http, die, free_port, log, run
from .servers import Server
from .wrk import Request

SEED_CONTACTS = 1000
CONTACT_FIELDS = "First_Name,Last_Name,Email,Phone,Mobile,Title,Owner,Created_Time,Modified_Time,Description"
LIST_QUERY = f"fields={CONTACT_FIELDS}&per_page=200"
# ZohoSearch.securesearch.READ (with the module's READ) is what GET /Contacts/search needs.
SCOPES = ("ZohoBigin.modules.ALL,ZohoBigin.org.ALL,ZohoBigin.users.ALL,ZohoBigin.settings.ALL,"
          "ZohoSearch.securesearch.READ")
ADMIN_EMAIL = "admin@bench.test"
# The search workload runs over SEARCH_CONTACTS contacts of an organization of its own (the other
# workloads keep their org with SEED_CONTACTS), looking up SEARCH_SAMPLE known e-mails in turn.
SEARCH_CONTACTS = 100_000
SEARCH_SAMPLE = 200
SEARCH_ADMIN_EMAIL = "search-admin@bench.test"
ADMIN_PASSWORD = "bench-password"
# biginbox keeps, as Zoho does, at most 20 refresh tokens per user and client (a 21st evicts the
# oldest), so the refresh-token pool is spread over as many Self Clients as that takes.
REFRESH_TOKENS_PER_CLIENT = 20


def refresh_lines(tokens) -> str:
    """workload.lua's refresh-token file: "client_id client_secret refresh_token" a line."""
    return "".join(f"{cid} {secret} {answer['refresh_token']}\n" for cid, secret, answer in tokens)


def email_lines(emails: list[str]) -> str:
    """workload.lua's ids file for the search workload: one URL-encoded e-mail a line."""
    return "".join(urllib.parse.quote(e, safe="") + "\n" for e in emails)


def seed_contact(n: int) -> dict:
    """The n-th seeded contact: every one of the ten listed fields that a client can set is set."""
    return {
        "First_Name": f"Seed{n}",
        "Last_Name": f"Contact {n}",
        "Email": f"seed{n}@bench.test",
        "Phone": f"+1 555 {n % 10000:04d}",
        "Mobile": f"+1 555 9{n % 1000:03d}",
        "Title": "Buyer",
        "Description": f"Seeded contact number {n} for the benchmark.",
    }


class System:
    name = ""
    label = ""
    server: Server | None = None

    def __init__(self, work: Path):
        self.work = work / self.name
        self.work.mkdir(parents=True, exist_ok=True)
        self.port = free_port()

    def request(self, workload: str) -> Request | None:
        raise NotImplementedError

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        if self.server:
            self.server.stop()

    def cleanup(self) -> None:
        """Releases what the system created outside the work directory (databases)."""


class Ceiling(System):
    """The minimal axum server of bench/ceiling: same answer to every request."""

    name = "ceiling"
    label = "ceiling (axum, fixed JSON)"

    def start(self) -> None:
        self.server = Server(self.name, [CEILING_BIN, f"{HOST}:{self.port}"], self.port, "/", self.work / "server.log")
        self.ids_file = self.work / "ids.txt"
        self.ids_file.write_text("1386950232841846784\n")
        self.refresh_file = self.work / "refresh.txt"
        self.refresh_file.write_text("".join(f"1000.CEILING ceiling 1000.ceiling.refresh{i}\n" for i in range(8)))
        self.search_file = self.work / "emails.txt"
        self.search_file.write_text(email_lines(["ada@bench.test"]))

    def request(self, workload: str) -> Request | None:
        # The ceiling can "do" every workload: it answers each request with the same bytes.
        contacts = "/bigin/v2/Contacts"
        return {
            "get_by_id": Request("GET", contacts + "/{id}", ids_file=self.ids_file),
            "list_200": Request("GET", f"{contacts}?{LIST_QUERY}"),
            "update_one": Request("PUT", contacts + "/{id}", body="bigin_update", ids_file=self.ids_file),
            "insert_one": Request("POST", contacts, body="bigin_insert", batch=1),
            "insert_batch_100": Request("POST", contacts, body="bigin_insert", batch=100),
            "token_refresh": Request("POST", "/oauth/v2/token", body="refresh", refresh_file=self.refresh_file,
                                     max_uses=10**9),
            # Its constant body has an "Email", so the search check passes on it too.
            "search_email_100k": Request("GET", contacts + "/search?email={id}", check="found",
                                         ids_file=self.search_file),
        }.get(workload)


class JsonServer(System):
    """json-server (pinned in bench/package.json) over a contacts collection like biginbox's."""

    name = "json-server"
    label = "json-server"

    def start(self) -> None:
        db = self.work / "db.json"
        contacts = [dict(id=n, **seed_contact(n), Owner={"name": "Admin", "email": ADMIN_EMAIL},
                         Created_Time="2026-01-01T00:00:00+00:00", Modified_Time="2026-01-01T00:00:00+00:00")
                    for n in range(1, SEED_CONTACTS + 1)]
        db.write_text(json.dumps({"contacts": contacts}))
        self.db = db
        self.launch()
        self.ids_file = self.work / "ids.txt"
        self.ids_file.write_text("".join(f"{n}\n" for n in range(1, SEED_CONTACTS + 1)))
        self.search_file = None

    def launch(self) -> None:
        bin_js = BENCH / "node_modules" / "json-server" / "lib" / "cli" / "bin.js"
        cmd = ["node", bin_js, "--host", HOST, "--port", str(self.port), "--quiet", self.db]
        self.server = Server(self.name, cmd, self.port, "/contacts/1", self.work / "server.log", cwd=self.work)

    def prepare_search(self) -> dict:
        """json-server reads its file once, at start: stops it, grows the collection (as the
        earlier workloads left it) to SEARCH_CONTACTS contacts like the seeded ones, and starts it
        again on the same port. A new process: the memory of the search steps is its own."""
        started = time.monotonic()
        self.server.stop()
        data = json.loads(self.db.read_text())
        contacts = data["contacts"]
        next_id = max(c["id"] for c in contacts if isinstance(c.get("id"), int)) + 1
        while len(contacts) < SEARCH_CONTACTS:
            contacts.append(dict(id=next_id, **seed_contact(next_id), Owner={"name": "Admin", "email": ADMIN_EMAIL},
                                 Created_Time="2026-01-01T00:00:00+00:00", Modified_Time="2026-01-01T00:00:00+00:00"))
            next_id += 1
        self.db.write_text(json.dumps(data))
        step = max(1, len(contacts) // SEARCH_SAMPLE)
        emails = [c["Email"] for c in contacts[::step] if c.get("Email")][:SEARCH_SAMPLE]
        self.search_file = self.work / "emails.txt"
        self.search_file.write_text(email_lines(emails))
        self.launch()
        seconds = time.monotonic() - started
        log(f"{self.name}: restarted over {len(contacts):,} contacts for the search in {seconds:.1f} s")
        return {"contacts": len(contacts), "searched_emails": len(emails), "setup_seconds": round(seconds, 1),
                "how": "the collection grown to 100,000 contacts in db.json, json-server restarted"}

    def request(self, workload: str) -> Request | None:
        return {
            "get_by_id": Request("GET", "/contacts/{id}", ids_file=self.ids_file),
            "list_200": Request("GET", "/contacts?_limit=200"),
            "update_one": Request("PATCH", "/contacts/{id}", body="flat_update", ids_file=self.ids_file),
            "insert_one": Request("POST", "/contacts", body="flat_insert"),
            # json-server filters its in-memory array; an empty array (no match) fails the check.
            "search_email_100k": Request("GET", "/contacts?Email={id}", check="found", ids_file=self.search_file)
            if self.search_file else None,
        }.get(workload)


class Biginbox(System):
    """biginbox on SQLite (a fresh file) or PostgreSQL (a fresh database, dropped afterwards)."""

    def __init__(self, work: Path, backend: str, binary: Path):
        self.name = f"biginbox-{backend}"
        self.label = f"biginbox ({'SQLite' if backend == 'sqlite' else 'PostgreSQL'})"
        super().__init__(work)
        self.backend = backend
        self.binary = binary
        self.pg_db = None
        self.refresh_file = None  # set per connection count by the runner
        self.id_collisions: list[str] = []
        if backend == "sqlite":
            self.db_path = self.work / "bench.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.db_path}{suffix}").unlink(missing_ok=True)
            self.database_url = f"sqlite://{self.db_path}"
        else:
            self.pg_db = f"biginbox_bench_{secrets.token_hex(6)}"
            run(["psql", PG_ADMIN_URL, "-v", "ON_ERROR_STOP=1", "-q", "-c", f'CREATE DATABASE "{self.pg_db}"'])
            parts = urllib.parse.urlsplit(PG_ADMIN_URL)
            self.database_url = urllib.parse.urlunsplit(parts._replace(path=f"/{self.pg_db}"))
            log(f"created PostgreSQL database {self.pg_db}")
        self.public_url = f"http://{HOST}:{self.port}"
        self.ack_dir = self.work / "acked"
        self.ack_dir.mkdir(exist_ok=True)
        for old in self.ack_dir.glob("*.txt"):
            old.unlink()

    # -- the command line ------------------------------------------------------------------------

    def cli(self, *args: str) -> dict:
        cmd = [str(self.binary), "--database-url", self.database_url, "--public-url", self.public_url, *args, "--json"]
        for attempt in range(1, 6):
            result = run(cmd, capture=True, check=False)
            if result.returncode == 0:
                return json.loads(result.stdout)
            # Concurrent CLI processes can mint the same id in the same millisecond (seen as
            # "UNIQUE constraint failed: grant_codes.id"); that is worth reporting, and retrying.
            if "UNIQUE constraint" in result.stderr or "duplicate key" in result.stderr:
                self.id_collisions.append(result.stderr.strip().splitlines()[-1][:200])
                time.sleep(0.005 * attempt)
                continue
            break
        die(f"command failed ({result.returncode}): {' '.join(cmd)}\n{result.stderr.strip()[-2000:]}")
        raise AssertionError("unreachable")

    def new_client(self, _=None) -> tuple[str, str]:
        client = self.cli("clients", "create", "--type", "self", "--name", "Bench Client", "--owner-email", ADMIN_EMAIL)
        return client["client_id"], client["client_secret"]

    def mint_codes(self, clients: list[tuple[str, str]], count: int) -> list[tuple[str, str, str]]:
        """(client_id, client_secret, code): `count` Self Client grant codes, REFRESH_TOKENS_PER_CLIENT
        per client at most, made with `biginbox codes create` (four at a time)."""
        jobs = [clients[i // REFRESH_TOKENS_PER_CLIENT] for i in range(count)]

        def one(client):
            code = self.cli("codes", "create", "--client-id", client[0], "--org-id", self.org_id,
                            "--scope", SCOPES, "--duration-minutes", "10")["code"]
            return client[0], client[1], code
        with ThreadPoolExecutor(max_workers=4) as pool:
            return list(pool.map(one, jobs))

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> None:
        org = self.cli("orgs", "create", "--name", "Bench", "--admin-email", ADMIN_EMAIL,
                       "--admin-password", ADMIN_PASSWORD)
        self.org_id, self.admin_user_id = org["org_id"], org["admin_user_id"]
        self.client_id, self.client_secret = self.new_client()
        api_code = self.mint_codes([(self.client_id, self.client_secret)], 1)
        self.launch()
        tokens = self.exchange(api_code)
        self.access_token = tokens[0][2]["access_token"]
        self.auth = f"Zoho-oauthtoken {self.access_token}"
        self.seed()

    def make_clients(self, tokens: int) -> list[tuple[str, str]]:
        count = -(-tokens // REFRESH_TOKENS_PER_CLIENT)
        with ThreadPoolExecutor(max_workers=4) as pool:
            return list(pool.map(self.new_client, range(count)))

    def refresh_tokens(self, count: int) -> str:
        """`count` new refresh tokens as lines for workload.lua: Self Clients and their codes from
        the CLI, the codes exchanged on the running server."""
        started = time.monotonic()
        codes = self.mint_codes(self.make_clients(count), count)
        lines = refresh_lines(self.exchange(codes))
        log(f"{self.name}: {count} refresh tokens ({-(-count // REFRESH_TOKENS_PER_CLIENT)} Self Clients) "
            f"made in {time.monotonic() - started:.1f} s")
        return lines

    wrapper: list[str] = []

    def launch(self) -> None:
        cmd = [*self.wrapper, self.binary, "--database-url", self.database_url, "--public-url", self.public_url,
               "serve", "--listen", f"{HOST}:{self.port}"]
        env = dict(os.environ, BIGINBOX_LOG=os.environ.get("BIGINBOX_LOG", "warn"))
        self.server = Server(self.name, cmd, self.port, "/healthz", self.work / "server.log", env=env)
        # Memory of the server just started, before it has answered anything but /healthz.
        self.fresh_kb = self.server.idle_rss_kb(0.5)

    def exchange(self, codes: list[tuple[str, str, str]]) -> list[tuple[str, str, dict]]:
        """Trades each (client_id, client_secret, code) for tokens: (client_id, client_secret, answer)."""
        def chunk(part):
            http = Http(self.port)
            out = []
            for client_id, client_secret, code in part:
                form = urllib.parse.urlencode({"grant_type": "authorization_code", "client_id": client_id,
                                               "client_secret": client_secret, "code": code})
                status, raw = http.request("POST", "/oauth/v2/token", form,
                                           {"Content-Type": "application/x-www-form-urlencoded"})
                answer = json.loads(raw)
                if status != 200 or "refresh_token" not in answer:
                    die(f"{self.name}: code exchange failed: {status} {raw[:300]!r}")
                out.append((client_id, client_secret, answer))
            http.close()
            return out
        # A client's first token request verifies its secret with argon2 (slow and memory-hungry on
        # purpose; later requests hit biginbox's cache). Do those one at a time, as clients arriving
        # one by one would, so that the harness does not inflate the server's memory with many
        # argon2 runs at once; the rest go eight at a time.
        first, rest, seen = [], [], set()
        for item in codes:
            (rest if item[0] in seen else first).append(item)
            seen.add(item[0])
        done = {id(item): answer for item, answer in zip(first, chunk(first))}
        workers = 8
        parts = [rest[i::workers] for i in range(workers)]
        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(chunk, parts))
        for i, item in enumerate(rest):
            done[id(item)] = results[i % workers][i // workers]
        # Back in the order of `codes` (the first one may be the API's access token).
        return [done[id(item)] for item in codes]

    def seed(self) -> None:
        http = Http(self.port)
        ids = []
        for start in range(1, SEED_CONTACTS + 1, 100):
            batch = [seed_contact(n) for n in range(start, min(start + 100, SEED_CONTACTS + 1))]
            status, body = http.json("POST", "/bigin/v2/Contacts", {"data": batch}, {"Authorization": self.auth})
            if status not in (201, 202) or not isinstance(body, dict):
                die(f"{self.name}: seeding failed: {status} {str(body)[:300]}")
            for item in body["data"]:
                if item.get("code") != "SUCCESS":
                    die(f"{self.name}: seeding failed: {item}")
                ids.append(item["details"]["id"])
        status, body = http.json("GET", f"/bigin/v2/Contacts/{ids[0]}", None, {"Authorization": self.auth})
        if status != 200:
            die(f"{self.name}: reading a seeded contact failed: {status} {str(body)[:300]}")
        http.close()
        self.seed_ids = ids
        self.ids_file = self.work / "ids.txt"
        self.ids_file.write_text("".join(f"{i}\n" for i in ids))
        log(f"{self.name}: seeded {len(ids)} contacts")

    def prepare_search(self) -> dict:
        """An organization of its own with SEARCH_CONTACTS contacts from `biginbox seed`, its
        own Self Client and token, and SEARCH_SAMPLE of its e-mails read back with SQL (spread
        over the whole collection) for the search to look up, each checked to be a hit."""
        started = time.monotonic()
        org = self.cli("orgs", "create", "--name", "Bench Search", "--admin-email", SEARCH_ADMIN_EMAIL,
                       "--admin-password", ADMIN_PASSWORD)
        self.search_org_id = org["org_id"]
        client = self.cli("clients", "create", "--type", "self", "--name", "Bench Search Client",
                          "--owner-email", SEARCH_ADMIN_EMAIL)
        code = self.cli("codes", "create", "--client-id", client["client_id"], "--org-id", self.search_org_id,
                        "--scope", SCOPES, "--duration-minutes", "10")["code"]
        answer = self.exchange([(client["client_id"], client["client_secret"], code)])[0][2]
        self.search_auth = f"Zoho-oauthtoken {answer['access_token']}"
        seeded = self.cli("seed", "--org-id", self.search_org_id, "--module", "Contacts",
                          "--count", str(SEARCH_CONTACTS))
        if seeded.get("written", 0) + seeded.get("skipped", 0) != SEARCH_CONTACTS:
            die(f"{self.name}: biginbox seed wrote {seeded}")
        # Every (100,000 / 200)-th contact in id order, so the e-mails spread over the whole table
        # (COQL and the list API reach only the first 10,000 records by offset, as Zoho's do).
        emails = self.sample_emails(self.search_org_id, SEARCH_CONTACTS // SEARCH_SAMPLE)
        http = Http(self.port)
        headers = {"Authorization": self.search_auth}
        emails = list(dict.fromkeys(emails))
        lines = email_lines(emails)
        for probe in lines.split():
            status, body = http.json("GET", f"/bigin/v2/Contacts/search?email={probe}", None, headers)
            if status != 200 or not isinstance(body, dict) or not body.get("data"):
                die(f"{self.name}: searching a seeded e-mail failed: {probe}: {status} {str(body)[:300]}")
        http.close()
        self.search_file = self.work / "emails.txt"
        self.search_file.write_text(lines)
        seconds = time.monotonic() - started
        log(f"{self.name}: seeded {SEARCH_CONTACTS:,} contacts for the search in {seeded.get('seconds', 0):.1f} s "
            f"({seeded.get('records_per_second', 0):,.0f} records/s); {len(emails)} e-mails to look up")
        return {"contacts": SEARCH_CONTACTS, "searched_emails": len(emails), "setup_seconds": round(seconds, 1),
                "seed_seconds": round(seeded.get("seconds", 0), 1),
                "seed_records_per_second": round(seeded.get("records_per_second", 0)),
                "how": "biginbox seed into an organization of its own; every 500th e-mail read back with SQL"}

    def sample_emails(self, org_id: str, every: int) -> list[str]:
        """The e-mail of every `every`-th live Contact of the org in id order, read with SQL."""
        email = "json_extract(data, '$.Email')" if self.backend == "sqlite" else "(data::jsonb)->>'Email'"
        query = (f"SELECT e FROM (SELECT {email} AS e, row_number() OVER (ORDER BY id) AS n FROM records "
                 f"WHERE org_id = {int(org_id)} AND module = 'Contacts' AND deleted_time IS NULL) t "
                 f"WHERE n % {every} = 1 AND e IS NOT NULL AND e <> '' ORDER BY n")
        if self.backend == "sqlite":
            import sqlite3
            conn = sqlite3.connect(str(self.db_path))
            try:
                rows = [row[0] for row in conn.execute(query)]
            finally:
                conn.close()
        else:
            out = subprocess.run(["psql", self.database_url, "-At", "-c", query], capture_output=True, text=True)
            if out.returncode != 0:
                die(f"{self.name}: reading e-mails failed: {out.stderr}")
            rows = out.stdout.split()
        if not rows:
            die(f"{self.name}: no e-mails among the seeded contacts")
        return rows

    def request(self, workload: str) -> Request | None:
        contacts = "/bigin/v2/Contacts"
        auth = self.auth
        return {
            "get_by_id": Request("GET", contacts + "/{id}", auth=auth, ids_file=self.ids_file),
            "list_200": Request("GET", f"{contacts}?{LIST_QUERY}", auth=auth),
            "update_one": Request("PUT", contacts + "/{id}", body="bigin_update", check="records", auth=auth,
                                  ids_file=self.ids_file),
            "insert_one": Request("POST", contacts, body="bigin_insert", batch=1, check="records", auth=auth,
                                  ack_dir=self.ack_dir, skip_id=self.admin_user_id),
            "insert_batch_100": Request("POST", contacts, body="bigin_insert", batch=100, check="records", auth=auth,
                                        ack_dir=self.ack_dir, skip_id=self.admin_user_id),
            "token_refresh": Request("POST", "/oauth/v2/token", body="refresh", check="token",
                                     refresh_file=self.refresh_file),
            "search_email_100k": Request("GET", contacts + "/search?email={id}", check="found",
                                         auth=getattr(self, "search_auth", ""), ids_file=getattr(self, "search_file", None))
            if getattr(self, "search_file", None) else None,
        }.get(workload)

    def crash(self) -> None:
        """Kills the server with SIGKILL: what it acknowledged must survive that."""
        if self.server:
            self.server.stop(sig=signal.SIGKILL)

    def cleanup(self) -> None:
        if self.pg_db:
            run(["psql", PG_ADMIN_URL, "-q", "-c", f'DROP DATABASE IF EXISTS "{self.pg_db}" WITH (FORCE)'], check=False)
            log(f"dropped PostgreSQL database {self.pg_db}")
            self.pg_db = None

    # -- durability ------------------------------------------------------------------------------

    def acked_ids(self) -> list[int]:
        ids = []
        for path in sorted(self.ack_dir.glob("acked-*.txt")):
            ids.extend(int(line) for line in path.read_text().split())
        return ids

    def stored_contact_ids(self) -> set[int]:
        """Ids of the live Contacts, read straight from the database after the server is gone."""
        # The bench org's contacts only (the search workload's 100,000 live in an org of their own).
        query = f"SELECT id FROM records WHERE org_id = {int(self.org_id)} AND module = 'Contacts' AND deleted_time IS NULL"
        if self.backend == "sqlite":
            import sqlite3
            conn = sqlite3.connect(str(self.db_path))
            try:
                return {row[0] for row in conn.execute(query)}
            finally:
                conn.close()
        out = subprocess.run(["psql", self.database_url, "-At", "-c", query], capture_output=True, text=True)
        if out.returncode != 0:
            die(f"{self.name}: counting records failed: {out.stderr}")
        return {int(line) for line in out.stdout.split()}
