"""Every named route, as owner, preparer, viewer, outsider and anonymous (and staff where it matters),
answers what R-8 expects (issue 8 item 8: the healthchecks habit, made systematic).

The expectations come from the table below, written from RULES.md R-8 and API.md, not from the code: each
route names the permission it needs. A route added without a row here fails
``test_every_named_route_is_in_the_table``. Each role's request runs in a transaction that is rolled back,
so a role that deletes or files leaves nothing behind for the next one.

Expected answers:
- anonymous: API → 401 `NOT_AUTHENTICATED`; page → redirect to the sign-in page; open routes → allowed.
- outsider (signed in, no membership of the GSTIN): GSTIN routes → 404, the same body as an unregistered
  GSTIN (R-8.2); job routes → 404 (a job is visible to its creator, its GSTIN's members and staff); staff
  routes → 403; routes for any signed-in user → allowed.
- member whose role lacks the permission → 403; member with it → allowed.
- allowed: neither 401, 403 nor 404 (a 400/409 refusal is the rule speaking, not access); a GET answers 200,
  or a redirect that is not to the sign-in page.
"""

from datetime import date
from pathlib import Path

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from core.api import api_not_found
from jobs.models import Job, JobKind, JobStatus
from returns.services.gstr2b import gstr2b_recompute
from taxpayers.models import Role
from taxpayers.services import taxpayer_create
from tests.conftest import KA, MH, UserFactory, gstr1, inv, member

UNREGISTERED = "07AAGFF2194N1Z1"
READ, WRITE, FILE, MANAGE = "read", "write", "file", "manage"
STAFF_GSTIN = "staff of a GSTIN"  # staff only; outsiders still get the GSTIN's 404
STAFF, USER, OPEN, JOB = "staff", "user", "open", "job"
ROLE_PERMS = {
    Role.OWNER: {READ, WRITE, FILE, MANAGE},
    Role.PREPARER: {READ, WRITE},
    Role.VIEWER: {READ},
}

# route name -> [(method, permission needed)], and the query string a request carries.
ROUTES: dict[str, list[tuple[str, str]]] = {
    "gstr2b_export": [("get", READ)],
    "ims_export": [("get", READ)],
    "favicon": [("get", OPEN)],
    # API: authentication and administration
    "api_token": [("post", OPEN), ("delete", USER)],
    "api_taxpayers": [("get", USER), ("post", STAFF)],
    "api_taxpayer": [("get", READ), ("patch", STAFF_GSTIN)],
    "api_taxpayer_frequency": [("post", MANAGE)],
    "api_members": [("get", READ), ("post", MANAGE)],
    "api_member": [("delete", MANAGE)],
    "api_users": [("post", STAFF)],
    "api_admin_clock": [("get", STAFF), ("put", STAFF), ("delete", STAFF)],
    "api_admin_gstr2b_generate": [("post", STAFF)],
    "api_admin_pending_expiry": [("post", STAFF)],
    # The GSTN-compatible API (issue 10): GSTIN in the query, the action in the query or the body.
    "gstn_ims": [("get", READ), ("put", WRITE)],
    "gstn_gstr2b": [("get", READ), ("put", WRITE)],
    "gstn_gstr1": [("get", READ), ("put", WRITE), ("post", FILE)],
    "gstn_returns": [("get", READ)],
    "gstr2b_gstn_json": [("get", READ)],
    # The customs feed: staff, or a machine user with the customs_feed permission.
    "api_customs_boe": [("post", STAFF)],
    "api_customs_boe_upload": [("post", STAFF)],
    "api_job": [("get", JOB)],
    "api_job_file": [("get", JOB)],
    # API: supplier
    "api_gstr1": [("get", READ)],
    "api_gstr1_documents": [("get", READ), ("post", WRITE)],
    "api_gstr1_document": [("delete", WRITE)],
    "api_gstr1_file": [("post", FILE)],
    "api_gstr1_uploads": [("post", WRITE)],
    "api_ims_outward": [("get", READ)],
    "api_ims_addbacks": [("get", READ)],
    # API: recipient
    "api_ims_summary": [("get", READ)],
    "api_ims_inward": [("get", READ)],
    "api_ims_record": [("get", READ)],
    "api_ims_actions": [("post", WRITE)],
    "api_ims_bulk": [("post", WRITE)],
    "api_ims_export": [("get", READ)],
    "api_ims_import": [("post", WRITE)],
    "api_gstr2b": [("get", READ)],
    "api_gstr2b_export": [("get", READ)],
    "api_gstr2b_versions": [("get", READ)],
    "api_gstr2b_diff": [("get", READ)],
    "api_ims_proposals": [("get", READ)],
    "api_ims_proposals_decide": [("post", MANAGE)],
    "ims_proposals_decide": [("post", MANAGE)],
    "maker_checker_set": [("post", MANAGE)],
    "ims_saved_view_add": [("post", READ)],
    "ims_rules": [("get", MANAGE), ("post", MANAGE)],
    "api_gstr2b_version": [("get", READ)],
    "api_gstr2b_generate": [("post", WRITE)],
    "api_gstr3b": [("get", READ)],
    "api_gstr3b_file": [("post", FILE)],
    # Pages
    "login": [("get", OPEN)],
    "healthz": [("get", OPEN)],
    "metrics": [("get", OPEN)],  # the test client's 127.0.0.1 is an allowed scraper (METRICS_ALLOWED_IPS)
    "logout": [("post", OPEN)],
    "sign_out_others": [("post", USER)],
    "home": [("get", USER)],
    "cockpit": [("get", USER)],
    "alerts": [("get", USER)],
    "webhooks": [("get", MANAGE), ("post", MANAGE)],
    "switch": [("get", READ)],
    "dashboard": [("get", READ)],
    "admin_tools": [("get", STAFF)],
    "admin_gstr2b_generate": [("post", STAFF)],
    "admin_pending_expiry": [("post", STAFF)],
    "admin_clock": [("post", STAFF)],
    "jobs": [("get", USER)],
    "job_detail": [("get", JOB)],
    "job_progress": [("get", JOB)],
    "job_errors_json": [("get", JOB)],
    "ims_inward": [("get", READ)],
    "ims_inward_actions": [("post", WRITE)],
    "ims_inward_count": [("get", READ)],
    "ims_inward_bulk": [("post", WRITE)],
    "ims_import": [("post", WRITE)],
    "ims_import_job": [("get", READ)],
    "ims_record": [("get", READ)],
    "ims_record_act": [("post", WRITE)],
    "ims_outward": [("get", READ)],
    "ims_outward_export": [("get", READ)],
    "gstr1_home": [("get", READ)],
    "gstr1_period": [("get", READ)],
    "gstr1_upload": [("post", WRITE)],
    "gstr1_file": [("get", FILE), ("post", FILE)],
    "gstr1_uploads": [("get", READ), ("post", WRITE)],
    "gstr1_upload_outcome": [("get", READ)],
    "gstr1_document_new": [("get", WRITE)],
    "gstr1_row_new": [("get", WRITE), ("post", WRITE)],
    "gstr1_document_edit": [("get", WRITE)],
    "gstr1_document_delete": [("post", WRITE)],
    "gstr2b_home": [("get", READ)],
    "gstr2b_period": [("get", READ)],
    "gstr2b_recompute": [("post", WRITE)],
    "gstr3b_home": [("get", READ)],
    "gstr3b_period": [("get", READ)],
    "gstr3b_file": [("post", FILE)],
    # Purchase-register reconciliation (issue 16): read to see, write to import, pair, edit and apply.
    "api_recon_settings": [("get", READ), ("put", WRITE)],
    "api_recon_summary": [("get", READ)],
    "api_recon_register": [("post", WRITE)],
    "api_recon_rows": [("get", READ)],
    "api_recon_row": [("patch", WRITE)],
    "api_recon_unpair": [("post", WRITE)],
    "api_recon_pair": [("post", WRITE)],
    "api_recon_apply": [("post", WRITE)],
    "api_recon_match": [("post", WRITE)],
    "api_recon_export": [("get", READ)],
    "recon": [("get", READ)],
    "recon_import": [("post", WRITE)],
    "recon_map": [("post", WRITE)],
    "recon_job": [("get", READ)],
    "recon_row": [("post", WRITE)],
    "recon_apply": [("post", WRITE)],
    "recon_match": [("post", WRITE)],
    "recon_settings": [("post", WRITE)],
    "recon_export": [("get", READ)],
    "recon_followup": [("get", READ), ("post", WRITE)],
}
QUERY = {
    "switch": "?gstin={gstin}",
    "gstr1_file": "?form=GSTR1",
    "api_gstr2b_export": "?format=json",
    "api_gstr2b_diff": "?from=1&to=2",
    "gstn_ims": "?action=GETCNT&gstin={gstin}",
    "gstn_gstr2b": "?action=GET2B&gstin={gstin}&rtnprd=092025",
    "gstn_gstr1": "?action=B2B&gstin={gstin}&ret_period=092025",
    "gstn_returns": "?action=RETSTATUS&gstin={gstin}&ref_id={upload_job}",
    "recon": "?period=092025",
    "recon_export": "?period=092025",
    "recon_followup": "?period=092025",
}
# GSTN bodies by route and method (JSON): enough to reach the access check's consequences.
GSTN_BODY = {
    "gstn_ims": {"put": {"action": "SAVE", "data": {"invdata": {}}}},
    "gstn_gstr2b": {"put": {"action": "GEN2B", "data": {"itcprd": "092025"}}},
    "gstn_gstr1": {
        "put": {"action": "RETSAVE", "data": {"fp": "092025", "b2b": []}},
        "post": {"action": "RETFILE", "data": {"ret_period": "092025"}},
    },
}
# Form fields a POST needs to reach its access check's consequences (not to succeed).
DATA = {
    "gstr1_file": {"form": "GSTR1"},
    "recon_row": {"period": "092025", "op": "edit", "action": ""},
    "recon_apply": {"period": "092025"},
    "recon_match": {"period": "092025"},
    "recon_followup": {"period": "092025", "stin": MH, "to": "accounts@acme.example"},
}
# Not access-controlled application routes: Django's admin (its own staff login), the OpenAPI schema and
# docs (public descriptions), and the /api/v1/ fallback (a JSON 404 for every unknown path).
SKIPPED = {"schema", "api-docs"}
ROLES = ["anonymous", "outsider", "viewer", "preparer", "owner", "staff"]


def named_routes() -> set[str]:
    def walk(patterns):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace != "admin":
                    yield from walk(p.url_patterns)
            elif isinstance(p, URLPattern) and p.callback is not api_not_found:
                yield p.name

    return set(walk(get_resolver().url_patterns)) - SKIPPED


def test_every_named_route_is_in_the_table():
    assert named_routes() == set(ROUTES)


@pytest.fixture
def world(set_clock, settings, tmp_path):
    """One GSTIN (Karnataka) as supplier and recipient, with a member of each role, a saved document, an IMS
    record, a GSTR-2B version, jobs of each kind a page follows, and a file a job left."""
    settings.MEDIA_ROOT = tmp_path
    set_clock("2025-10-15 10:00")
    gstin = taxpayer_create(gstin=KA, legal_name="Bharat", ims_start_period="092025")
    other = taxpayer_create(gstin=MH, legal_name="Acme", ims_start_period="092025")
    users = {role: member(gstin, role) for role in (Role.OWNER, Role.PREPARER, Role.VIEWER)}
    users["outsider"] = member(other, Role.OWNER)
    users["staff"] = UserFactory(is_staff=True)
    from invoices.services import documents_save

    documents_save(
        supplier=gstin,
        period=202509,
        payload=gstr1(b2b=[inv("S-1", "05-09-2025", pos="27")], ctin=MH),
        by="x",
        channel="api",
    )
    documents_save(
        supplier=other,
        period=202509,
        payload=gstr1(b2b=[inv("R-1", "06-09-2025")], ctin=KA),
        by="x",
        channel="api",
    )
    gstr2b_recompute(taxpayer=gstin, period=202509, by="x")
    gstr2b_recompute(taxpayer=gstin, period=202509, by="x")  # two versions, for the diff
    jobs = {
        kind: Job.objects.create(
            kind=kind,
            taxpayer=gstin,
            status=JobStatus.SUCCEEDED,
            params={"period": 202509},
            created_at=set_clock("2025-10-15 10:00"),
        )
        for kind in (JobKind.IMS_IMPORT, JobKind.GSTR1_UPLOAD)
    }
    files = Path(tmp_path) / "jobfiles"
    files.mkdir()
    (files / f"{jobs[JobKind.IMS_IMPORT].id}-errors.xlsx").write_bytes(b"PK\x03\x04")
    doc = gstin.documents.get()
    rec = gstin.ims_records.get()
    # A purchase register of Sep 2025: R-1 matched, BILL-1 missing in IMS (a follow-up for Acme).
    from recon.models import Match
    from tests.recon.test_match import books

    reg, _ = books(
        gstin, {"number": "R-1", "doc_date": date(2025, 9, 6)}, {"number": "BILL-1"}, period=202509
    )
    recon_job = Job.objects.create(
        kind=JobKind.RECON_IMPORT,
        taxpayer=gstin,
        status=JobStatus.SUCCEEDED,
        params={"period": 202509},
        created_at=set_clock("2025-10-15 10:00"),
    )
    row = Match.objects.filter(register=reg).order_by("id").first()
    job = jobs[JobKind.IMS_IMPORT]
    kwargs = {
        "gstin": KA,
        "period": "092025",
        "record_id": rec.id,
        "doc_id": doc.id,
        "job_id": job.id,
        "version": 1,
        "username": users[Role.VIEWER].username,
        "name": "errors.xlsx",
        "table": "b2cs",
        "row_id": row.id,
        "match_id": row.id,
    }
    upload_job = jobs[JobKind.GSTR1_UPLOAD].id
    return {"users": users, "kwargs": kwargs, "upload_job": upload_job, "recon_job": recon_job.id}


def url_of(name: str, world: dict, gstin: str = KA) -> str:
    pattern = next(p for p in _patterns() if p.name == name)
    wanted = {k: v for k, v in world["kwargs"].items() if k in pattern.pattern.converters}
    if "gstin" in wanted:
        wanted["gstin"] = gstin
    if name == "gstr1_upload_outcome":
        wanted["job_id"] = world["upload_job"]
    if name == "recon_job":
        wanted["job_id"] = world["recon_job"]
    if name.startswith("gstn_"):
        wanted["version"] = "v1.0"  # GSTN's API version segment
    return reverse(name, kwargs=wanted) + QUERY.get(name, "").format(
        gstin=gstin, upload_job=world["upload_job"]
    )


def _patterns():
    def walk(patterns):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace != "admin":
                    yield from walk(p.url_patterns)
            else:
                yield p

    return list(walk(get_resolver().url_patterns))


def _takes_gstin(name: str) -> bool:
    if name.startswith("gstn_"):  # GSTN's API names the GSTIN in the query or a header
        return True
    return "gstin" in next(p for p in _patterns() if p.name == name).pattern.converters


def _is_api(name: str) -> bool:
    return name.startswith(("api_", "gstn_"))


def _body(name: str, method: str):
    if name in GSTN_BODY:
        return GSTN_BODY[name].get(method)
    return DATA.get(name) if method == "post" else None


def request(role: str, world: dict, method: str, url: str, api: bool, data=None):
    client = APIClient() if api else Client()
    if role != "anonymous":
        client.force_login(world["users"][role])
    with transaction.atomic():
        if data and url.startswith("/taxpayerapi/"):
            response = getattr(client, method)(url, data, format="json")
        else:
            response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
        transaction.set_rollback(True)
    return response


def expected(role: str, perm: str, api: bool) -> str:
    """allowed / 401 / login / 403 / 404, as R-8 says."""
    if perm == OPEN:
        return "allowed"
    if role == "anonymous":
        return "401" if api else "login"
    if perm == USER:
        return "allowed"
    if perm == STAFF:
        return "allowed" if role == "staff" else "403"
    if perm == STAFF_GSTIN:
        return {"staff": "allowed", "outsider": "404"}.get(role, "403")
    if role == "staff":
        return "allowed"
    if role == "outsider":
        return "404"
    if perm == JOB:
        return "allowed"
    return "allowed" if perm in ROLE_PERMS[role] else "403"


def check(response, want: str, method: str, api: bool, perm: str) -> str | None:
    status = response.status_code
    if want == "allowed":
        if status in (401, 403, 404):
            return f"got {status}: {response.content[:200]!r}"
        if method == "get" and status not in (200, 302):
            return f"GET answered {status}"
        if status == 302 and response["Location"].startswith("/login") and perm != OPEN:
            return "redirected to sign in"
        return None
    if want == "login":
        if status != 302 or not response["Location"].startswith("/login"):
            return f"expected a redirect to sign in, got {status}"
        return None
    if status != int(want):
        return f"expected {want}, got {status}: {response.content[:200]!r}"
    if api:
        code = {"401": "NOT_AUTHENTICATED", "403": "FORBIDDEN", "404": "NOT_FOUND"}[want]
        error = response.json()["error"]
        if error.get("code", error.get("error_cd")) != code:
            return f"expected the error body {code}, got {response.content[:200]!r}"
    return None


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_route_answers_each_role_as_r8_says(world, name):
    api = _is_api(name)
    failures = []
    for method, perm in ROUTES[name]:
        url = url_of(name, world)
        for role in ROLES:
            want = expected(role, perm, api)
            response = request(role, world, method, url, api, _body(name, method))
            if problem := check(response, want, method, api, perm):
                failures.append(f"{method.upper()} {url} as {role} (wants {want}): {problem}")
            if role == "outsider" and want == "404" and api and _takes_gstin(name):
                # exactly the answer for a GSTIN that is not registered at all.
                unknown = request(
                    role, world, method, url_of(name, world, UNREGISTERED), api, _body(name, method)
                )
                if (unknown.status_code, unknown.json()) != (response.status_code, response.json()):
                    failures.append(f"{method.upper()} {url} as outsider differs from an unregistered GSTIN")
    assert not failures, "\n".join(failures)
