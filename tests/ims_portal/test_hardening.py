"""Issue 14, hardening: each finding reproduced as it was reported, and answered now with the contract's
4xx body or a job that ends. One test per finding; the note of issue 14 lists them one to one."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from invoices.models import UploadChunk
from jobs.models import Job, JobStatus
from taxpayers.models import Role
from tests.conftest import KA, MH, client_for, member


@pytest.fixture
def owner(set_clock, supplier, recipient):
    set_clock("2025-11-05 10:00")
    return client_for(member(supplier, Role.OWNER, "acme-owner"))


def contract_error(r, status: int, code: str):
    assert r.status_code == status, r.content
    assert r["Content-Type"].startswith("application/json")
    body = r.json()["error"]
    assert body["code"] == code and body["message"]
    return body


# --- High 1: a NUL in an uploaded file's key left the job running for ever -------------------------------


def test_issue14_h1_an_upload_with_a_nul_in_a_key_ends_failed_and_frees_the_slot(owner, supplier):
    text = b'{"gstin": "27AAPFU0939F1ZV", "fp": "102025", "b2b\\u0000": []}'
    f = SimpleUploadedFile("nul.json", text, content_type="application/json")
    r = owner.post(f"/api/v1/gstr1/{MH}/102025/uploads", {"file": f}, format="multipart")
    assert r.status_code == 202, r.content
    job = Job.objects.get(id=r.json()["id"])
    assert job.status == JobStatus.FAILED and job.finished_at is not None
    assert job.error["code"] == "VALIDATION"
    assert "\x00" not in json.dumps(job.error)
    assert "\ufffd" in json.dumps(job.error, ensure_ascii=False)  # the key is still quoted, made visible
    assert not UploadChunk.objects.exists()
    # The slot is free: the next upload is taken.
    good = SimpleUploadedFile("ok.json", b'{"b2b": []}', content_type="application/json")
    again = owner.post(f"/api/v1/gstr1/{MH}/102025/uploads", {"file": good}, format="multipart")
    assert again.status_code == 202, again.content


# --- Medium: NUL and control characters, nesting ------------------------------------------------------------


@pytest.mark.parametrize("param", ["q", "stin", "ctin", "rtnprd"])
def test_issue14_m_nul_in_a_query_parameter_is_a_400_with_the_contract_body(owner, param):
    r = owner.get(f"/api/v1/ims/{MH}/inward", {param: "a\x00b"})
    body = contract_error(r, 400, "VALIDATION")
    assert body["details"][0]["path"] == param


def test_issue14_m_nul_in_a_page_query_parameter_is_a_400(owner, supplier, client):
    client.force_login(member(supplier, Role.VIEWER, "acme-viewer"))
    assert client.get(f"/g/{MH}/ims/inward", {"q": "x\x00"}).status_code == 400


def test_issue14_m_nul_in_a_username_is_refused_not_a_500(db, client):
    form = "username=admin%00&password=x"
    r = client.post("/login/", form, content_type="application/x-www-form-urlencoded")
    assert r.status_code == 400
    r = client.post("/login/", {"username": "admin\x00", "password": "x"})  # multipart: the form refuses it
    assert r.status_code == 200 and "_auth_user_id" not in client.session
    r = client_for(None).post("/api/v1/auth/token", {"username": "a\x00", "password": "x"}, format="json")
    contract_error(r, 400, "VALIDATION")


def test_issue14_m_json_nested_a_thousand_deep_is_a_400(owner):
    deep = "[" * 1000 + "]" * 1000
    r = owner.generic("POST", f"/api/v1/gstr1/{MH}/102025/documents", deep, content_type="application/json")
    contract_error(r, 400, "VALIDATION")
    value = 1
    for _ in range(40):
        value = [value]
    nested = {"b2b": [{"ctin": KA, "inv": [{"x": value}]}]}
    r = owner.post(f"/api/v1/gstr1/{MH}/102025/documents", nested, format="json")
    contract_error(r, 400, "VALIDATION")


def test_issue14_m_nul_inside_a_json_string_is_a_400(owner):
    body = {"b2b": [{"ctin": KA, "inv": [{"inum": "A\x00", "idt": "01-10-2025"}]}]}
    r = owner.post(f"/api/v1/gstr1/{MH}/102025/documents", body, format="json")
    contract_error(r, 400, "VALIDATION")


def test_issue14_m_the_html_upload_page_refuses_a_file_over_the_limit(owner, supplier, client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    client.force_login(member(supplier, Role.PREPARER, "acme-preparer"))
    big = SimpleUploadedFile(
        "big.json", b'{"b2b": []' + b" " * (2 * 1024 * 1024) + b"}", content_type="application/json"
    )
    r = client.post(f"/g/{MH}/gstr1/102025/upload", {"file": big})
    assert r.status_code == 413
    assert "larger than 1 MB" in r.content.decode()


@pytest.mark.parametrize(
    "where, value, path",
    [
        ("txval", "1e30", "b2b[0].inv[0].itms[0].itm_det.txval"),
        ("txval", "1e309", "b2b[0].inv[0].itms[0].itm_det.txval"),
        ("txval", "10000000000000.00", "b2b[0].inv[0].itms[0].itm_det.txval"),
        ("iamt", "99999999999999", "b2b[0].inv[0].itms[0].itm_det.iamt"),
        ("val", "99999999999999", "b2b[0].inv[0].val"),
    ],
)
def test_issue14_m_money_beyond_gstns_limits_is_a_400_naming_the_field(owner, where, value, path):
    from tests.conftest import gstr1, inv

    text = json.dumps(gstr1(b2b=[inv("BIG-1", "05-10-2025")]), default=str)
    body = json.loads(text)
    doc = body["b2b"][0]["inv"][0]
    target = doc if where == "val" else doc["itms"][0]["itm_det"]
    target[where] = "__N__"
    raw = json.dumps(body).replace('"__N__"', value)
    r = owner.generic("POST", f"/api/v1/gstr1/{MH}/102025/documents", raw, content_type="application/json")
    err = contract_error(r, 400, "VALIDATION")
    assert path in [d["path"] for d in err["details"]], err


def test_issue14_m_items_adding_up_beyond_the_limit_are_refused_not_a_500(owner):
    from tests.conftest import gstr1, inv

    body = json.loads(json.dumps(gstr1(b2b=[inv("SUM-1", "05-10-2025")]), default=str))
    item = {"num": 1, "itm_det": {"rt": 0, "txval": 9999999999999.99, "iamt": 0}}
    body["b2b"][0]["inv"][0]["itms"] = [dict(item, num=k + 1) for k in range(200)]
    body["b2b"][0]["inv"][0]["val"] = 9999999999999.99
    r = owner.post(f"/api/v1/gstr1/{MH}/102025/documents", body, format="json")
    err = contract_error(r, 400, "VALIDATION")
    assert "b2b[0].inv[0].itms" in [d["path"] for d in err["details"]]


# --- Low: errors always in the contract's shape, with a request id ------------------------------------------


def test_issue14_l_an_unexpected_error_is_a_json_500_with_a_request_id(owner, monkeypatch, caplog):
    from invoices import selectors

    def boom(**kwargs):
        raise RuntimeError("simulated fault")

    monkeypatch.setattr(selectors, "documents_for_period", boom)
    r = owner.get(f"/api/v1/gstr1/{MH}/102025/documents", HTTP_X_REQUEST_ID="trace-12345678")
    body = contract_error(r, 500, "INTERNAL")
    assert body["request_id"] == "trace-12345678" == r["X-Request-ID"]
    assert "trace-12345678" in body["message"]
    assert any("trace-12345678" in rec.getMessage() and rec.exc_info for rec in caplog.records)


def test_issue14_l_a_401_names_its_scheme_and_api_replies_are_not_cached(db, owner):
    r = client_for(None).get(f"/api/v1/ims/{KA}/inward")
    contract_error(r, 401, "NOT_AUTHENTICATED")
    assert r["WWW-Authenticate"].startswith("Token")
    ok = owner.get(f"/api/v1/ims/{MH}/inward")
    assert ok.status_code == 200 and ok["Cache-Control"] == "no-store"
    assert len(ok["X-Request-ID"]) >= 8


def test_issue14_l_unknown_api_paths_and_pages_answer_the_same_not_found(owner, supplier, client):
    contract_error(owner.get("/api/v1/no/such/thing"), 404, "NOT_FOUND")
    client.force_login(member(supplier, Role.VIEWER, "acme-viewer"))
    stranger = client.get("/g/33GSPTN0791G1Z5/gstr1/")  # a GSTIN that exists nowhere
    missing = client.get("/no-such-page/")
    assert stranger.status_code == missing.status_code == 404
    assert b"Not found." in stranger.content and b"Not found." in missing.content


# --- Medium: sign-in throttling, expiring and revocable tokens ---------------------------------------------


def test_issue14_m_repeated_wrong_passwords_lock_the_token_endpoint_even_for_the_right_one(db, settings):
    from tests.conftest import UserFactory

    settings.SIGNIN_FAILURES_PER_USERNAME = 5
    UserFactory(username="target", password="right-password-1")
    anon = client_for(None)
    for _ in range(5):
        r = anon.post("/api/v1/auth/token", {"username": "target", "password": "wrong"}, format="json")
        contract_error(r, 400, "INVALID_CREDENTIALS")
    r = anon.post("/api/v1/auth/token", {"username": "target", "password": "right-password-1"}, format="json")
    body = contract_error(r, 429, "TOO_MANY_ATTEMPTS")
    assert 0 < int(r["Retry-After"]) <= settings.SIGNIN_LOCKOUT_SECONDS
    assert "try again in" in body["message"]
    # Another username from another address is not locked out.
    other = client_for(None)
    r = other.post(
        "/api/v1/auth/token", {"username": "someone", "password": "x"}, format="json", REMOTE_ADDR="10.0.0.9"
    )
    contract_error(r, 400, "INVALID_CREDENTIALS")


def test_issue14_m_the_login_page_locks_out_in_words_with_retry_after(db, client, settings):
    from tests.conftest import UserFactory

    settings.SIGNIN_FAILURES_PER_USERNAME = 3
    UserFactory(username="pageuser", password="right-password-1")
    for _ in range(3):
        assert client.post("/login/", {"username": "pageuser", "password": "bad"}).status_code == 200
    r = client.post("/login/", {"username": "pageuser", "password": "right-password-1"})
    assert r.status_code == 429 and int(r["Retry-After"]) > 0
    assert "Too many failed sign-ins" in r.content.decode()
    assert "_auth_user_id" not in client.session


def test_issue14_m_tokens_expire_are_revoked_by_delete_and_by_a_password_change(db, settings):
    from datetime import timedelta

    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from tests.conftest import UserFactory

    user = UserFactory(username="tokenuser", password="right-password-1")
    anon = client_for(None)

    def token():
        r = anon.post(
            "/api/v1/auth/token", {"username": "tokenuser", "password": "right-password-1"}, format="json"
        )
        assert r.status_code == 200, r.content
        return r.json()["token"]

    def me(key):
        c = client_for(None)
        c.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return c.get("/api/v1/taxpayers")

    key = token()
    assert me(key).status_code == 200
    Token.objects.filter(key=key).update(
        created=timezone.now() - timedelta(days=settings.API_TOKEN_TTL_DAYS + 1)
    )
    contract_error(me(key), 401, "NOT_AUTHENTICATED")
    key = token()  # a new one is issued
    assert me(key).status_code == 200
    c = client_for(None)
    c.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert c.delete("/api/v1/auth/token").status_code == 204
    contract_error(me(key), 401, "NOT_AUTHENTICATED")
    key = token()
    user.set_password("another-password-2")
    user.save()
    contract_error(me(key), 401, "NOT_AUTHENTICATED")


# --- Deployment: health, check --deploy, CSP ------------------------------------------------------------


def test_issue14_d_healthz_answers_each_check_without_authentication(db, client):
    r = client.get("/healthz")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and set(body["checks"]) == {"database", "broker", "worker"}


def test_issue14_d_healthz_is_503_naming_the_failing_check(db, client, monkeypatch):
    from ims_portal.views import health

    def down():
        raise ConnectionError("Error 111 connecting to redis")

    monkeypatch.setitem(health.CHECKS, "broker", down)
    r = client.get("/healthz")
    assert r.status_code == 503
    body = r.json()
    assert body["status"] == "failing"
    assert body["checks"]["broker"].startswith("failing: ConnectionError")
    assert body["checks"]["database"] == "ok"


def test_issue14_d_check_deploy_is_clean_under_production_settings():
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "DEBUG": "0",
        "TLS_PROXY": "1",
        "SECRET_KEY": "a-production-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "ims.example.com",
        "DATABASE_URL": "sqlite:///:memory:",
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_issue14_d_pages_carry_a_content_security_policy(owner, supplier, client):
    client.force_login(member(supplier, Role.VIEWER, "acme-viewer"))
    r = client.get(f"/g/{MH}/gstr1/")
    policy = r["Content-Security-Policy"]
    assert (
        "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    )
    assert "frame-ancestors 'none'" in policy


def test_issue14_d_metrics_for_the_scraper_and_staff_only(set_clock, staff, client):
    from jobs.models import JobKind
    from jobs.services import job_start

    set_clock("2025-11-05 10:00")
    job_start(kind=JobKind.PENDING_EXPIRY, params={"by": "system"})
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 404
    scraped = client.get("/metrics").content.decode()  # 127.0.0.1: the allowed scraper
    assert 'ims_jobs{kind="pending_expiry",status="succeeded"} 1.0' in scraped
    assert "django_http_requests_total_by_method_total" in scraped
    client.force_login(staff)
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200


# --- Low: names, the sandbox clock's range, the period in a delete path ------------------------------------


def test_issue14_m_over_long_names_are_a_400_naming_the_field(staff):
    r = client_for(staff).post(
        "/api/v1/taxpayers",
        {
            "gstin": "33GSPTN0791G1Z5",
            "legal_name": "x" * 1000,
            "trade_name": "y" * 201,
            "ims_start_period": "092025",
        },
        format="json",
    )
    err = contract_error(r, 400, "VALIDATION")
    assert {d["path"] for d in err["details"]} == {"legal_name", "trade_name"}


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+05:30", "9999-12-31T23:59:00+05:30"])
def test_issue14_l_the_sandbox_clock_refuses_year_1_and_9999(set_clock, staff, moment):
    set_clock("2025-11-05 10:00")
    r = client_for(staff).put("/api/v1/admin/clock", {"now": moment}, format="json")
    contract_error(r, 400, "VALIDATION")
    assert client_for(staff).get(f"/api/v1/gstr1/{MH}/102025").status_code in (200, 404)


def test_issue14_l_deleting_a_document_under_another_period_is_not_found(owner, supplier):
    from invoices.models import Document
    from tests.conftest import gstr1, inv, save

    save(supplier, 202510, gstr1(b2b=[inv("D-1", "05-10-2025")]))
    doc = Document.objects.get()
    contract_error(owner.delete(f"/api/v1/gstr1/{MH}/092025/documents/{doc.id}"), 404, "NOT_FOUND")
    assert Document.objects.filter(id=doc.id).exists()
    assert owner.delete(f"/api/v1/gstr1/{MH}/102025/documents/{doc.id}").status_code == 204


def test_issue14_m_the_json_export_fails_as_an_error_reply_not_a_200_that_breaks_off(
    owner, supplier, recipient, monkeypatch
):
    from ims.services import excel
    from tests.conftest import gstr1, inv, save

    save(supplier, 202510, gstr1(b2b=[inv("EX-1", "05-10-2025")]))
    reader = client_for(member(recipient, Role.VIEWER, "bharat-viewer"))

    def broken(rec, today):
        raise RuntimeError("simulated fault while shaping a record")

    monkeypatch.setattr(excel, "record_out", broken)
    r = reader.get(f"/api/v1/ims/{KA}/inward/export?format=json")
    contract_error(r, 500, "INTERNAL")
    monkeypatch.undo()
    ok = reader.get(f"/api/v1/ims/{KA}/inward/export?format=json")
    assert ok.status_code == 200
    assert [x["inum"] for x in json.loads(b"".join(ok.streaming_content))["records"]] == ["EX-1"]


def test_issue14_m_sign_out_everywhere_else_ends_the_other_sessions_only(db):
    from django.test import Client

    from tests.conftest import UserFactory

    UserFactory(username="two-browsers", password="right-password-1")
    here, there = Client(), Client()
    for c in (here, there):
        assert (
            c.post("/login/", {"username": "two-browsers", "password": "right-password-1"}).status_code == 302
        )
        assert c.get("/").status_code == 200
    r = here.post("/sign-out-others", {"next": "/"})
    assert r.status_code == 302 and r["Location"] == "/"
    assert here.get("/").status_code == 200
    gone = there.get("/")
    assert gone.status_code == 302 and gone["Location"].startswith("/login/")
    # Signing in again there works, and does not end the first session.
    assert (
        there.post("/login/", {"username": "two-browsers", "password": "right-password-1"}).status_code == 302
    )
    assert there.get("/").status_code == 200 and here.get("/").status_code == 200


# --- High 5: only a registered e-commerce operator reports ECO documents (R-3.14) --------------------------


def test_issue14_h5_r3_14_a_taxpayer_not_flagged_as_operator_cannot_report_eco_documents(owner, supplier):
    from ims.models import ImsRecord
    from invoices.models import Document
    from tests.conftest import TN, make_operator

    eco = {
        "ecom": {
            "b2b": [
                {
                    "stin": TN,
                    "rtin": KA,
                    "inv": [
                        {
                            "inum": "TN-0001",
                            "idt": "05-10-2025",
                            "val": 1180,
                            "pos": "29",
                            "sply_ty": "INTER",
                            "inv_typ": "R",
                            "itms": [{"num": 1, "itm_det": {"rt": 18, "txval": 1000, "iamt": 180}}],
                        }
                    ],
                }
            ]
        }
    }
    r = owner.post(f"/api/v1/gstr1/{MH}/102025/documents", eco, format="json")
    err = contract_error(r, 400, "VALIDATION")
    assert [(d["path"], d["code"]) for d in err["details"]] == [("ecom", "NOT_ECO_OPERATOR")]
    assert not Document.objects.exists() and not ImsRecord.objects.exists()
    # The named supplier's number is not used up: once the staff flag is set, the same document saves.
    make_operator(supplier)
    assert owner.post(f"/api/v1/gstr1/{MH}/102025/documents", eco, format="json").status_code == 201


def test_issue14_fuzz_found_a_nul_in_the_session_cookie_or_token_is_not_a_500(owner, client):
    """Found by the schemathesis run: a session cookie holding NUL reached PostgreSQL's session lookup."""
    client.cookies["sessionid"] = "abc\x00def"
    assert client.get(f"/api/v1/ims/{KA}/inward").status_code == 401
    assert client.get("/").status_code == 302  # to the sign-in page, as without a cookie
    c = client_for(None)
    c.credentials(HTTP_AUTHORIZATION="Token abc\x00def")
    contract_error(c.get(f"/api/v1/ims/{KA}/inward"), 400, "VALIDATION")


def test_issue15_favicon_is_served_not_404(client, db):
    r = client.get("/favicon.ico")
    assert r.status_code == 302 and r["Location"] == "/static/favicon.svg"
    assert client.get(r["Location"]).status_code == 200


# --- Low: a malformed id found the record; wants the 404 of an unknown one ----------------------------


@pytest.mark.parametrize("shape", ["0{}", "00{}", "+{}", "{}_", "arabic-indic", "{}.0"])
def test_issue14_l_a_malformed_record_id_is_the_404_of_an_unknown_one(
    set_clock, supplier, recipient, client, shape
):
    from tests.conftest import gstr1, inv, record, save

    set_clock("2025-11-05 10:00")
    save(supplier, 202510, gstr1(b2b=[inv("ID-1", "05-10-2025")]))
    rid = record(recipient, "ID-1").id
    user = member(recipient, Role.OWNER, "rec-owner")
    api = client_for(user)
    client.force_login(user)
    assert api.get(f"/api/v1/ims/{KA}/inward/{rid}").status_code == 200
    assert client.get(f"/g/{KA}/ims/inward/{rid}").status_code == 200
    if shape == "arabic-indic":
        bad = str(rid).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    elif shape == "{}_":
        bad = f"{str(rid)[:1]}_{str(rid)[1:]}" if rid > 9 else f"{rid}_"
    else:
        bad = shape.format(rid)
    unknown = contract_error(api.get(f"/api/v1/ims/{KA}/inward/999999999"), 404, "NOT_FOUND")
    malformed = contract_error(api.get(f"/api/v1/ims/{KA}/inward/{bad}"), 404, "NOT_FOUND")
    assert malformed == unknown
    assert client.get(f"/g/{KA}/ims/inward/{bad}").status_code == 404
    assert api.patch(f"/api/v1/ims/{KA}/inward/{bad}", {"action": "A"}, format="json").status_code == 404
    assert record(recipient, "ID-1").action == "N"
