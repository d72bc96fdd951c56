"""The workload table. Order matters: reads run on the seeded 1,000 contacts before any write."""

from __future__ import annotations

from dataclasses import dataclass

CONNECTIONS = (1, 16, 64)


@dataclass(frozen=True)
class Workload:
    key: str
    title: str
    what: str
    records_per_request: int = 1
    # Slow requests need longer steps: a step in which no answer arrives measures nothing.
    min_seconds: float = 0
    # Not measured yet; the reason is printed wherever the table is.
    pending: str = ""


WORKLOADS = (
    Workload("get_by_id", "GET one Contact by id",
             "GET /bigin/v2/Contacts/{id} with a valid token, rotating over the 1,000 seeded contacts"),
    Workload("list_200", "List 200 Contacts, 10 fields",
             "GET /bigin/v2/Contacts?fields=<10 fields>&per_page=200"),
    Workload("update_one", "Update one Contact",
             "PUT /bigin/v2/Contacts/{id} {\"data\":[{\"Title\":...}]}, rotating over the seeded contacts"),
    Workload("insert_one", "Insert one Contact",
             "POST /bigin/v2/Contacts with one contact (unique e-mail)"),
    Workload("insert_batch_100", "Insert 100 Contacts per request",
             "POST /bigin/v2/Contacts with 100 contacts (unique e-mails)", records_per_request=100,
             min_seconds=3),
    Workload("token_refresh", "Token refresh",
             "POST /oauth/v2/token grant_type=refresh_token, spread over a pool of refresh tokens, "
             "each used at most 10 times"),
    # Runs last: its 100,000 contacts are seeded just before it, in an organization of their own
    # (biginbox) or by growing the collection and restarting (json-server), so the workloads above
    # run on 1,000 contacts.
    Workload("search_email_100k", "Search by e-mail at 100,000 records",
             "GET /bigin/v2/Contacts/search?email=<address> over 100,000 contacts, rotating over 200 "
             "e-mails that exist (each request a hit)"),
)

BY_KEY = {w.key: w for w in WORKLOADS}
