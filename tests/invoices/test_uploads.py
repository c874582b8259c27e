"""Large GSTR-1 uploads as jobs (issue 5 items 1, 5, 6; R-3.11, R-9.2, R-9.3): accepted files are parsed
as a stream, validated whole and saved all or nothing; refusals for size, format and a second upload."""

import io
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.gen_gstr1 import recipient_gstins, write_gstr1
from core import clock
from core.errors import ValidationFailed
from ims.models import ImsAudit, ImsRecord
from invoices.models import Document, Upload, UploadChunk
from invoices.services import documents_save, uploads
from jobs.models import Job, JobStatus
from taxpayers.models import Role
from taxpayers.services import taxpayer_create
from tests.conftest import GJ, KA, MH, client_for, inv, member

URL = f"/api/v1/gstr1/{MH}/102025/uploads"
PAGE = f"/g/{MH}/gstr1/102025/uploads"


def dumps(obj) -> str:
    """JSON with Decimals as JSON numbers, as a GSTR-1 file carries them."""
    if isinstance(obj, Decimal):
        return format(obj, "f")
    if isinstance(obj, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{dumps(v)}" for k, v in obj.items()) + "}"
    if isinstance(obj, list):
        return "[" + ",".join(dumps(v) for v in obj) + "]"
    return json.dumps(obj)


def file_of(text: str | bytes, name="gstr1.json", content_type="application/json") -> SimpleUploadedFile:
    data = text.encode() if isinstance(text, str) else text
    return SimpleUploadedFile(name, data, content_type=content_type)


def post(client, f):
    return client.post(URL, {"file": f}, format="multipart")


@pytest.fixture
def owner(set_clock, supplier, recipient):
    set_clock("2025-11-05 10:00")
    return member(supplier, Role.OWNER)


def invoices(n: int, prefix: str, **kw) -> list[dict]:
    return [inv(f"{prefix}{i}", "05-10-2025", **kw) for i in range(n)]


def test_r3_11_upload_of_2000_documents_ends_succeeded_with_counts(owner, supplier, monkeypatch):
    # Small chunks so the stored file spans several of them and the parser reads across their borders.
    monkeypatch.setattr(uploads, "CHUNK_BYTES", 64 * 1024)
    gstins = recipient_gstins(4, seed=3)
    taxpayer_create(gstin=gstins[0], legal_name="Registered buyer", ims_start_period="092025")
    text = io.StringIO()
    sizes = write_gstr1(text, supplier=MH, period=202510, documents=2000, recipients=gstins, seed=3)
    assert sizes == {"b2b": 1600, "cdnr": 400}

    r = post(client_for(owner), file_of(text.getvalue()))

    assert r.status_code == 202, r.content
    body = r.json()
    assert r["Location"] == f"/api/v1/jobs/{body['id']}"
    assert body["kind"] == "gstr1_upload"
    assert body["status"] == "succeeded"
    assert body["result"] == {"form": "GSTR1", "created": 2000, "updated": 0, "unchanged": 0}
    # each document counted parsed, validated and saved.
    assert body["progress"] == {"done": 6000, "total": 6000}
    assert body["error"] is None
    assert Document.objects.filter(supplier=supplier, period=202510).count() == 2000
    # Only the first of the four recipients is registered: 1600/4 invoices + 400/4 notes.
    assert ImsRecord.objects.filter(recipient__gstin=gstins[0]).count() == 500
    upload = Upload.objects.get()
    assert upload.status == "succeeded"
    assert upload.size == len(text.getvalue().encode())
    assert not UploadChunk.objects.exists()  # the stored bytes go once the job has ended

    # The same file again: every document unchanged.
    again = post(client_for(owner), file_of(text.getvalue())).json()
    assert again["result"] == {"form": "GSTR1", "created": 0, "updated": 0, "unchanged": 2000}


def test_r3_11_upload_with_errors_fails_with_every_error_and_saves_nothing(owner):
    docs = invoices(3, "E")
    docs[1]["itms"][0]["itm_det"]["rt"] = Decimal("17")
    payload = {"gstin": MH, "fp": "102025", "b2b": [{"ctin": KA, "inv": docs}, {"ctin": "29AAGCB7383J1Z5"}]}

    r = post(client_for(owner), file_of(dumps(payload)))

    assert r.status_code == 202
    job = r.json()
    assert job["status"] == "failed"
    assert job["result"] is None
    assert job["error"] == {
        "code": "VALIDATION",
        "message": "The request has errors; nothing was saved.",
        "details": [
            {
                "path": "b2b[0].inv[1].itms[0].itm_det.rt",
                "code": "RATE_INVALID",
                "message": "B2B invoice E1, item 1, rate: 17 is not a GST rate.",
            },
            {
                "path": "b2b[1].ctin",
                "code": "CTIN_INVALID",
                "message": "B2B entry 2, recipient GSTIN: ctin is not a valid GSTIN: "
                "The check character does not match.",
            },
            {"path": "b2b[1].inv", "code": "REQUIRED", "message": "B2B entry 2: inv is required."},
        ],
        "summary": {"total_errors": 3, "by_code": {"CTIN_INVALID": 1, "RATE_INVALID": 1, "REQUIRED": 1}},
    }
    assert not Document.objects.exists()
    assert not UploadChunk.objects.exists()
    upload = Upload.objects.get()
    assert upload.status == "failed"
    assert len(upload.errors) == 3


def test_r3_11_more_than_1000_errors_are_capped_with_counts_by_code(owner):
    bad_rate = invoices(1200, "R", rt="18")
    for d in bad_rate:
        d["itms"][0]["itm_det"]["rt"] = Decimal("17")
    bad_pos = invoices(400, "P")
    for d in bad_pos:
        d["pos"] = "99"
    payload = {"b2b": [{"ctin": KA, "inv": bad_rate + bad_pos}]}

    job = post(client_for(owner), file_of(dumps(payload))).json()

    assert job["status"] == "failed"
    error = job["error"]
    assert error["code"] == "VALIDATION"
    assert (
        error["message"]
        == "The request has errors; nothing was saved. The first 1,000 of 1,600 errors are listed."
    )
    assert len(error["details"]) == 1000
    assert error["details"][0]["path"] == "b2b[0].inv[0].itms[0].itm_det.rt"
    assert error["details"][999]["path"] == "b2b[0].inv[999].itms[0].itm_det.rt"
    # 1,200 rates of 17 % and 400 places of supply 99, counted by hand.
    assert error["summary"] == {"total_errors": 1600, "by_code": {"INVALID": 400, "RATE_INVALID": 1200}}
    assert not Document.objects.exists()

    # The error file has all 1,600.
    page = client_for(owner)
    page.force_login(owner)
    r = page.get(f"/jobs/{job['id']}/errors.json")
    assert r.status_code == 200
    assert r["Content-Disposition"] == f'attachment; filename="job-{job["id"]}-errors.json"'
    data = json.loads(r.content)
    assert len(data["errors"]) == 1600
    assert data["errors"][1599]["path"] == "b2b[0].inv[1599].pos"
    assert data["summary"]["total_errors"] == 1600


def test_r9_2_malformed_json_mid_file_fails_and_leaves_nothing(owner):
    good = ",".join(dumps(d) for d in invoices(2, "M"))
    text = (
        f'{{"gstin":"{MH}","fp":"102025","b2b":[{{"ctin":"{KA}","inv":[{good},{{"inum":"M2","idt": }}]}}]}}'
    )

    job = post(client_for(owner), file_of(text)).json()

    assert job["status"] == "failed"
    assert job["result"] is None
    assert job["error"]["code"] == "VALIDATION"
    [detail] = job["error"]["details"]
    assert detail["code"] == "INVALID"
    assert detail["path"] == "b2b[0].inv[2].idt"
    assert detail["message"].startswith("The file is not valid JSON (")
    assert job["error"]["summary"] == {"total_errors": 1, "by_code": {"INVALID": 1}}
    assert not Document.objects.exists()
    assert not UploadChunk.objects.exists()


def test_r9_2_truncated_file_fails_and_leaves_nothing(owner):
    text = dumps({"b2b": [{"ctin": KA, "inv": invoices(5, "T")}]})
    job = post(client_for(owner), file_of(text[: len(text) // 2])).json()
    assert job["status"] == "failed"
    assert job["error"]["details"][0]["code"] == "INVALID"
    assert job["error"]["details"][0]["path"].startswith("b2b[0].inv[")
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (b"%PDF-1.4 not json", "application/pdf"),  # declared as something else
        (b"inum,idt,val\nA1,05-10-2025,100\n", "text/plain"),  # says text, is CSV
        (b"  \n[1, 2]", "application/json"),  # JSON, but not one GSTR-1 object
        (b"", "application/json"),  # empty
    ],
)
def test_issue5_files_that_are_not_gstr1_json_are_refused(owner, data, content_type):
    r = post(client_for(owner), file_of(data, content_type=content_type))
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "UNSUPPORTED_FORMAT"
    assert r.json()["error"]["message"].startswith("The file ")
    assert not Upload.objects.exists()
    assert not Job.objects.exists()


def test_issue5_json_with_byte_order_mark_and_octet_stream_type_is_accepted(owner):
    text = dumps({"b2b": [{"ctin": KA, "inv": invoices(2, "B")}]})
    f = file_of(b"\xef\xbb\xbf\n " + text.encode(), content_type="application/octet-stream")
    job = post(client_for(owner), f).json()
    assert job["result"] == {"form": "GSTR1", "created": 2, "updated": 0, "unchanged": 0}


def test_issue5_missing_file_is_a_validation_error(owner):
    r = client_for(owner).post(URL, {"other": "x"}, format="multipart")
    assert r.status_code == 400
    assert r.json()["error"]["details"] == [
        {"path": "file", "code": "REQUIRED", "message": "Attach the GSTR-1 JSON file as 'file'."}
    ]


def test_issue5_file_over_the_limit_is_refused_413(owner, settings):
    settings.GSTR1_UPLOAD_MAX_BYTES = 1000
    text = dumps({"b2b": [{"ctin": KA, "inv": invoices(10, "L")}]})
    assert len(text) > 1000
    r = post(client_for(owner), file_of(text))
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "TOO_LARGE"
    assert not Upload.objects.exists()
    assert not Job.objects.exists()
    # Just under the limit passes.
    small = dumps({"b2b": [{"ctin": KA, "inv": invoices(1, "S")}]})
    assert len(small) < 1000
    assert post(client_for(owner), file_of(small)).status_code == 202


def test_issue5_the_upload_handler_stops_reading_past_the_limit(settings):
    settings.GSTR1_UPLOAD_MAX_BYTES = 10
    handler = uploads.LimitedUploadHandler(None)
    handler.new_file("file", "a.json", "application/json", 20)
    from django.core.files.uploadhandler import StopUpload

    handler.receive_data_chunk(b"{" * 10, 0)
    with pytest.raises(StopUpload):
        handler.receive_data_chunk(b"{", 10)
    assert handler.exceeded


def test_r9_2_a_second_upload_while_one_is_queued_is_refused_409(owner, supplier):
    Job.objects.create(
        kind="gstr1_upload", taxpayer=supplier, params={}, status=JobStatus.QUEUED, created_at=clock.now()
    )
    text = dumps({"b2b": [{"ctin": KA, "inv": invoices(1, "Q")}]})
    r = post(client_for(owner), file_of(text))
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "UPLOAD_IN_PROGRESS"
    assert not Upload.objects.exists()
    # Once that job has ended, uploads are accepted again.
    Job.objects.filter(kind="gstr1_upload").update(status=JobStatus.SUCCEEDED)
    assert post(client_for(owner), file_of(text)).status_code == 202


def test_r9_2_a_running_upload_also_blocks_and_other_gstins_are_not_blocked(owner, supplier, recipient):
    Job.objects.create(
        kind="gstr1_upload", taxpayer=recipient, params={}, status=JobStatus.RUNNING, created_at=clock.now()
    )
    text = dumps({"b2b": [{"ctin": KA, "inv": invoices(1, "O")}]})
    assert post(client_for(owner), file_of(text)).status_code == 202
    Job.objects.create(
        kind="gstr1_upload", taxpayer=supplier, params={}, status=JobStatus.RUNNING, created_at=clock.now()
    )
    assert post(client_for(owner), file_of(text)).status_code == 409


@pytest.mark.parametrize(("role", "status"), [(Role.OWNER, 202), (Role.PREPARER, 202), (Role.VIEWER, 403)])
def test_r8_upload_needs_write_permission(owner, supplier, role, status):
    user = member(supplier, role)
    text = dumps({"b2b": [{"ctin": KA, "inv": invoices(1, "W")}]})
    r = post(client_for(user), file_of(text))
    assert r.status_code == status
    if status == 403:
        assert r.json()["error"]["code"] == "FORBIDDEN"


def test_r8_outsider_gets_404(owner, outsider):
    text = dumps({"b2b": [{"ctin": KA, "inv": invoices(1, "X")}]})
    r = post(client_for(outsider), file_of(text))
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "NOT_FOUND"


def test_r3_11_period_refusal_ends_the_job_failed_with_its_code(owner):
    text = dumps({"b2b": [{"ctin": KA, "inv": [inv("F1", "05-12-2025")]}]})
    job = client_for(owner).post(f"/api/v1/gstr1/{MH}/122025/uploads", {"file": file_of(text)}).json()
    assert job["status"] == "failed"
    assert job["error"]["code"] == "PERIOD_NOT_STARTED"
    assert not UploadChunk.objects.exists()


# --- the page ------------------------------------------------------------------------------------


def test_issue5_page_shows_the_form_and_after_post_the_progress_and_counts(owner, client):
    client.force_login(owner)
    r = client.get(PAGE)
    html = r.content.decode()
    assert r.status_code == 200
    assert '<label for="upl-file">GSTR-1 JSON file</label>' in html
    assert 'type="file" name="file"' in html
    assert ">Upload</button>" in html

    text = dumps({"b2b": [{"ctin": KA, "inv": invoices(3, "G")}]})
    r = client.post(PAGE, {"file": file_of(text)})
    job = Job.objects.get(kind="gstr1_upload")
    assert r.status_code == 302
    assert r["Location"] == f"{PAGE}?job={job.id}"
    html = client.get(r["Location"]).content.decode()
    assert f'id="job-{job.id}"' in html  # the shared progress fragment
    assert 'data-status="succeeded"' in html
    assert "Saved in GSTR-1" in html
    assert '<td class="num">3</td>' in html
    # The outcome fragment the page polls.
    frag = client.get(f"{PAGE}/{job.id}").content.decode()
    assert "Saved in GSTR-1" in frag and "hx-get" not in frag


def test_issue5_page_lists_the_errors_and_links_the_error_file(owner, client):
    client.force_login(owner)
    docs = invoices(60, "H")
    for d in docs:
        d["itms"][0]["itm_det"]["rt"] = Decimal("17")
    r = client.post(PAGE, {"file": file_of(dumps({"b2b": [{"ctin": KA, "inv": docs}]}))}, follow=True)
    html = r.content.decode()
    job = Job.objects.get(kind="gstr1_upload")
    assert "Nothing was saved" in html
    assert "60 errors in all." in html
    assert f'href="/jobs/{job.id}/errors.json"' in html
    assert html.count('<td class="mono">RATE_INVALID</td>') == 51  # 50 listed + the count by code
    assert "b2b[0].inv[49].itms[0].itm_det.rt" in html
    assert "b2b[0].inv[50].itms[0].itm_det.rt" not in html


def test_issue5_page_refusal_is_shown_in_words(owner, client):
    client.force_login(owner)
    r = client.post(PAGE, {"file": file_of(b"hello", content_type="text/plain")})
    assert r.status_code == 400
    assert "does not start with" in r.content.decode()
    assert "(UNSUPPORTED_FORMAT)" in r.content.decode()


def test_r8_page_viewer_sees_no_form_and_cannot_post_outsider_404(owner, supplier, outsider, client):
    viewer = member(supplier, Role.VIEWER)
    client.force_login(viewer)
    r = client.get(PAGE)
    assert r.status_code == 200
    assert 'type="file"' not in r.content.decode()
    text = dumps({"b2b": [{"ctin": KA, "inv": invoices(1, "V")}]})
    assert client.post(PAGE, {"file": file_of(text)}).status_code == 403
    assert not Job.objects.exists()
    client.force_login(outsider)
    assert client.get(PAGE).status_code == 404
    assert client.post(PAGE, {"file": file_of(text)}).status_code == 404


def test_r8_error_file_is_visible_to_members_only(owner, supplier, outsider, client):
    docs = invoices(1, "Z")
    docs[0]["pos"] = "99"
    job = post(client_for(owner), file_of(dumps({"b2b": [{"ctin": KA, "inv": docs}]}))).json()
    client.force_login(member(supplier, Role.VIEWER))
    r = client.get(f"/jobs/{job['id']}/errors.json")
    assert r.status_code == 200
    assert json.loads(r.content)["errors"][0]["code"] == "INVALID"
    client.force_login(outsider)
    assert client.get(f"/jobs/{job['id']}/errors.json").status_code == 404


def test_issue5_period_page_links_the_large_upload_page(owner, client):
    client.force_login(owner)
    html = client.get(f"/g/{MH}/gstr1/102025").content.decode()
    assert f'href="{PAGE}"' in html


def test_r9_2_an_upload_job_stuck_for_hours_no_longer_blocks_uploads(owner, supplier):
    stuck = Job.objects.create(
        kind="gstr1_upload",
        taxpayer=supplier,
        params={},
        status=JobStatus.RUNNING,
        created_at=clock.now() - timedelta(hours=3),  # its worker died long ago
        deadline_at=timezone.now() - timedelta(hours=2),
    )
    text = dumps({"b2b": [{"ctin": KA, "inv": invoices(1, "Q")}]})
    assert post(client_for(owner), file_of(text)).status_code == 202
    stuck.refresh_from_db()
    assert (stuck.status, stuck.error["code"]) == (JobStatus.FAILED, "TIMED_OUT")


# --- issue 12: the file streams through validation and writing, chunk by chunk ---------------------------


def counting_writes(monkeypatch, chunk: int) -> list[int]:
    """Chunks of ``chunk`` documents; the sizes of the chunks written, in order."""
    from invoices.services import documents

    monkeypatch.setattr(uploads, "WRITE_CHUNK", chunk)
    written: list[int] = []
    write = documents._write_chunk

    def spy(supplier, creates, updates, *args):
        written.append(len(creates) + len(updates))
        return write(supplier, creates, updates, *args)

    monkeypatch.setattr(documents, "_write_chunk", spy)
    return written


def test_issue12_r9_2_an_error_after_chunks_were_written_leaves_nothing(owner, monkeypatch):
    """Valid chunks are written as soon as they are validated; an error further on refuses the batch and
    the transaction takes back every chunk already written (R-3.11, R-9.2)."""
    written = counting_writes(monkeypatch, 40)
    docs = invoices(200, "S")
    docs[170]["idt"] = "31-02-2025"
    payload = {"gstin": MH, "fp": "102025", "b2b": [{"ctin": KA, "inv": docs}]}

    job = post(client_for(owner), file_of(dumps(payload))).json()

    assert job["status"] == "failed"
    assert [(e["path"], e["code"]) for e in job["error"]["details"]] == [("b2b[0].inv[170].idt", "INVALID")]
    assert written == [40, 40, 40, 40]  # four chunks written before the error; nothing after it
    assert not Document.objects.exists() and not ImsRecord.objects.exists() and not ImsAudit.objects.exists()


def test_issue12_r3_2_a_number_taken_in_an_earlier_return_refuses_the_batch_after_chunks_were_written(
    owner, supplier, monkeypatch
):
    """The plan's checks against saved documents run chunk by chunk: a number already used in September
    refuses the October batch, every error listed, nothing of the batch kept."""
    september = {"b2b": [{"ctin": KA, "inv": [inv("S150", "05-09-2025"), inv("S190", "06-09-2025")]}]}
    documents_save(supplier=supplier, period=202509, payload=september, by="t", channel="api")
    written = counting_writes(monkeypatch, 50)
    payload = {"gstin": MH, "fp": "102025", "b2b": [{"ctin": KA, "inv": invoices(200, "S")}]}

    job = post(client_for(owner), file_of(dumps(payload))).json()

    assert job["status"] == "failed"
    details = job["error"]["details"]
    assert [(e["path"], e["code"]) for e in details] == [
        ("b2b[0].inv[150].inum", "NUMBER_DUPLICATE"),
        ("b2b[0].inv[190].inum", "NUMBER_DUPLICATE"),
    ]
    assert written == [50, 50, 50]  # the fourth chunk holds the first clash: nothing more is written
    assert Document.objects.filter(period=202510).count() == 0
    assert Document.objects.count() == 2 and ImsRecord.objects.count() == 2 and ImsAudit.objects.count() == 2


def test_issue12_a_section_given_twice_in_the_file_is_refused(owner):
    text = '{"gstin": "' + MH + '", "fp": "102025", "b2b": [], "b2b": []}'
    job = post(client_for(owner), file_of(text)).json()
    assert job["status"] == "failed"
    assert job["error"]["details"] == [
        {
            "path": "b2b",
            "code": "INVALID",
            "message": "'b2b' appears more than once in the file: put all its entries in one list.",
        }
    ]


def test_issue12_r9_upload_queries_grow_with_chunks_not_documents(owner, monkeypatch):
    """Two chunks of 50 documents cost what two chunks of 400 cost: the queries of an upload follow its
    chunks, never its documents."""
    counts = []
    for chunk, prefix in ((1, "P"), (50, "Q"), (400, "R")):  # the first warms the process's caches
        monkeypatch.setattr(uploads, "WRITE_CHUNK", chunk)
        payload = {"gstin": MH, "fp": "102025", "b2b": [{"ctin": KA, "inv": invoices(2 * chunk, prefix)}]}
        with CaptureQueriesContext(connection) as ctx:
            job = post(client_for(owner), file_of(dumps(payload))).json()
        assert job["status"] == "succeeded" and job["result"]["created"] == 2 * chunk
        counts.append(len(ctx.captured_queries))
    assert counts[1] == counts[2], counts


def test_issue12_issue17_a_batch_written_in_chunks_tells_each_recipient_once(owner, monkeypatch, recipient):
    """Webhooks (issue 17) hear one "records changed" per recipient per batch, however many chunks wrote
    it: the count is the batch's, the records named are the first thousand."""
    from core import events

    heard = []
    monkeypatch.setattr(events, "_LISTENERS", [lambda event, by: heard.append((event, by))])
    counting_writes(monkeypatch, 40)
    payload = {"gstin": MH, "fp": "102025", "b2b": [{"ctin": KA, "inv": invoices(100, "W")}]}

    job = post(client_for(owner), file_of(dumps(payload))).json()

    assert job["status"] == "succeeded"
    changed = [by for event, by in heard if event == events.RECORDS_CHANGED]
    assert len(changed) == 1 and list(changed[0]) == [recipient.id]
    assert changed[0][recipient.id]["count"] == 100
    assert [r["number"] for r in changed[0][recipient.id]["records"]] == [f"W{i}" for i in range(100)]


@pytest.mark.parametrize("chunk", [5_000, 1])
def test_issue12_r3_9_an_original_amended_twice_in_one_batch_is_refused_in_one_chunk_or_across_chunks(
    set_clock, supplier, recipient, monkeypatch, chunk
):
    """R-3.9: one document in force per chain; a second amendment of the same original in one batch is a
    repeat — also when the first one's chunk is already written (the batch's chains carry over)."""
    from invoices.services import documents, return_file

    set_clock("2025-10-05 10:00")
    september = {"b2b": [{"ctin": KA, "inv": [inv("A-1", "05-09-2025")]}]}
    documents_save(supplier=supplier, period=202509, payload=september, by="t", channel="api")
    return_file(supplier=supplier, period=202509, form="GSTR1", by="t", channel="api")
    monkeypatch.setattr(documents, "WRITE_CHUNK", chunk)
    first = inv("A-1", "05-09-2025", txval="2000.00", oinum="A-1", oidt="05-09-2025")
    second = inv("A-2", "05-09-2025", txval="3000.00", oinum="A-1", oidt="05-09-2025")

    with pytest.raises(ValidationFailed) as refused:
        documents_save(
            supplier=supplier,
            period=202510,
            payload={"b2ba": [{"ctin": KA, "inv": [first, second]}]},
            by="t",
            channel="api",
        )

    assert refused.value.details == [
        {
            "path": "b2ba[0].inv[1].oinum",
            "code": "NUMBER_DUPLICATE",
            "message": "Document A-1 is amended twice in this batch (first at b2ba[0].inv[0]).",
        }
    ]
    assert Document.objects.filter(period=202510).count() == 0


def test_issue12_the_survey_keeps_the_files_order_builds_small_sections_and_counts_documents(owner, supplier):
    hsn = {"data": [{"num": 1, "hsn_sc": "1001", "txval": Decimal("10.50")}]}
    text = dumps(
        {
            "gstin": MH,
            "b2b": [{"ctin": KA, "inv": invoices(2, "V")}, {"inv": invoices(1, "W"), "ctin": KA}],
            "hsn": hsn,
            "ecom": {"b2b": []},
            "cdnr": [],
            "fp": "102025",
        }
    )
    upload = uploads.store_upload(taxpayer=supplier, period=202510, file=file_of(text))

    heads, documents = uploads.survey(upload.id)

    assert heads == [
        ("gstin", MH),
        ("b2b", uploads._STREAM),
        ("hsn", hsn),
        ("ecom", {"b2b": []}),
        ("cdnr", uploads._STREAM),
        ("fp", "102025"),
    ]
    assert documents == 3
    streamed = dict(uploads.gstr1_sections(upload.id, heads))
    assert [g["ctin"] for g in streamed["b2b"]] == [KA, KA] and list(streamed["cdnr"]) == []


def test_issue12_r9_2_a_chunk_whose_writing_fails_fails_the_job_and_leaves_nothing(owner, monkeypatch):
    """A chunk whose writing fails (the database refused it) ends the job failed with nothing kept, though
    three chunks were written before it; no chunk is tried after it."""
    from invoices.services import documents

    monkeypatch.setattr(uploads, "WRITE_CHUNK", 30)
    write, tried = documents._write_chunk, []

    def failing(supplier, creates, updates, *args):
        tried.append(len(creates))
        if len(tried) == 4:
            raise RuntimeError("disk full")
        return write(supplier, creates, updates, *args)

    monkeypatch.setattr(documents, "_write_chunk", failing)
    payload = {"gstin": MH, "fp": "102025", "b2b": [{"ctin": KA, "inv": invoices(180, "F")}]}

    job = post(client_for(owner), file_of(dumps(payload))).json()

    assert job["status"] == "failed" and job["error"]["code"] == "INTERNAL"
    assert tried == [30, 30, 30, 30]  # the fourth chunk failed; the two after it were never tried
    assert not Document.objects.exists() and not ImsRecord.objects.exists() and not ImsAudit.objects.exists()


def repeats_payload() -> dict:
    """Repeated numbers (R-3.2) within a chunk and across chunks of 3, between other errors."""
    docs = invoices(10, "D")
    docs[4]["inum"] = "D1"  # repeats b2b[0].inv[1], an earlier chunk
    docs[5]["idt"] = "31-02-2025"  # another error between the repeats
    docs[7]["inum"] = "d1"  # case does not make a number new; an error of its own follows
    docs[7]["itms"][0]["itm_det"]["rt"] = Decimal("17")
    docs[9]["inum"] = "D8"  # repeats b2b[0].inv[8], in its own chunk
    export = {
        "inum": "D2",  # an export invoice in the same series as b2b[0].inv[2]
        "idt": "05-10-2025",
        "val": Decimal("1180.00"),
        "sbpcode": "INBOM4",
        "sbnum": "1234567",
        "sbdt": "06-10-2025",
        "itms": [{"rt": Decimal("18"), "txval": Decimal("1000.00"), "iamt": Decimal("180.00")}],
    }
    return {
        "gstin": MH,
        "fp": "102025",
        "b2b": [{"ctin": KA, "inv": docs}],
        "exp": [{"exp_typ": "WPAY", "inv": [export]}],
    }


def test_issue12_r3_2_a_streamed_upload_names_repeated_numbers_from_the_database_as_in_memory(
    owner, supplier, monkeypatch
):
    """R-3.2 within the batch, in an upload job: the numbers seen go to a temporary table a chunk at a time
    (memory flat in the size of the file), nothing per document stays in the validator, and the errors are
    the synchronous path's — the same messages in the same request order, whichever chunk the first use
    was in."""
    from invoices.domain import gstr1

    kept = []
    finish = gstr1._Validator.finish

    def spy(self):
        finish(self)
        kept.append((type(self.find_repeats).__name__, len(getattr(self.find_repeats, "first", ()))))

    monkeypatch.setattr(gstr1._Validator, "finish", spy)
    counting_writes(monkeypatch, 3)
    payload = repeats_payload()

    job = post(client_for(owner), file_of(dumps(payload))).json()

    assert job["status"] == "failed"
    details = job["error"]["details"]
    assert [(e["path"], e["code"]) for e in details] == [
        ("b2b[0].inv[4].inum", "NUMBER_DUPLICATE"),
        ("b2b[0].inv[5].idt", "INVALID"),
        ("b2b[0].inv[7].inum", "NUMBER_DUPLICATE"),
        ("b2b[0].inv[7].itms[0].itm_det.rt", "RATE_INVALID"),
        ("b2b[0].inv[9].inum", "NUMBER_DUPLICATE"),
        ("exp[0].inv[0].inum", "NUMBER_DUPLICATE"),
    ]
    assert details[0]["message"].endswith("Number D1 is already used in this FY at b2b[0].inv[1].inum.")
    assert details[2]["message"].endswith("Number d1 is already used in this FY at b2b[0].inv[1].inum.")
    assert details[5]["message"].endswith("Number D2 is already used in this FY at b2b[0].inv[2].inum.")
    assert kept == [("BatchNumbers", 0)]
    assert not Document.objects.exists() and not ImsRecord.objects.exists()

    with pytest.raises(ValidationFailed) as in_memory:
        documents_save(supplier=supplier, period=202510, payload=payload, by="t", channel="api")
    # the synchronous path keeps its keys in memory: 11 documents, one without a valid date, 4 repeats
    assert kept[1] == ("FirstUses", 6)
    assert in_memory.value.details == details


def test_issue12_batch_numbers_answers_the_repeats_of_each_chunk(db):
    """The temporary table behind R-3.2 in a streamed upload: each call answers its chunk's repeats, of an
    earlier chunk or within itself, with the path of the first use."""
    from django.db import transaction

    with transaction.atomic():
        numbers = uploads.BatchNumbers()
        assert numbers([("a", "p0"), ("b", "p1"), ("a", "p2")]) == [(2, "p0")]
        assert numbers([("c", "p3"), ("b", "p4"), ("b", "p5"), ("a", "p6")]) == [
            (1, "p1"),
            (2, "p1"),
            (3, "p0"),
        ]
        assert numbers([("d", "p7")]) == []


def test_issue12_issue17_events_of_many_recipients_are_named_a_few_thousand_records_at_a_time(
    owner, supplier, recipient, monkeypatch
):
    """Webhooks (issue 17) still hear one event per recipient, with its own records in order, when the
    events of a batch are made a few records at a time (issue 12: a large batch's events are never all
    in memory)."""
    from core import events
    from ims.services import copies

    gj = taxpayer_create(gstin=GJ, legal_name="Gujarat buyer", ims_start_period="092025")
    heard = []
    monkeypatch.setattr(events, "_LISTENERS", [lambda event, by: heard.append((event, by))])
    monkeypatch.setattr(copies, "CHANGED_PER_QUERY", 2)
    to_gj = [inv(f"G{i}", "05-10-2025", pos="24") for i in range(3)]
    payload = {
        "gstin": MH,
        "fp": "102025",
        "b2b": [{"ctin": KA, "inv": invoices(3, "K")}, {"ctin": GJ, "inv": to_gj}],
    }

    job = post(client_for(owner), file_of(dumps(payload))).json()

    assert job["status"] == "succeeded"
    calls = [by for event, by in heard if event == events.RECORDS_CHANGED]
    assert [list(by) for by in calls] == [[recipient.id], [gj.id]]
    assert [(r["number"], r["stin"]) for r in calls[0][recipient.id]["records"]] == [
        ("K0", MH),
        ("K1", MH),
        ("K2", MH),
    ]
    assert [r["number"] for r in calls[1][gj.id]["records"]] == ["G0", "G1", "G2"]
    assert calls[1][gj.id]["count"] == 3
    ids = set(ImsRecord.objects.filter(recipient=gj).values_list("id", flat=True))
    assert {r["id"] for r in calls[1][gj.id]["records"]} == ids


def test_issue12_an_upload_and_a_re_upload_that_edits_it_make_no_orm_object_per_document(owner, monkeypatch):
    """The hot path makes rows, not ORM objects (issue 12): creating 30 documents and then editing all 30 of
    them by a second upload instantiates no Document, IMS record or audit model object (Django's post_init
    would hear each), while the documents, records and audit rows are all written."""
    from collections import Counter

    from django.db.models.signals import post_init

    made = Counter()

    def heard(sender, **kwargs):
        made[sender.__name__] += 1

    counting_writes(monkeypatch, 10)
    for model in (Document, ImsRecord, ImsAudit):
        post_init.connect(heard, sender=model)
    try:
        first = post(
            client_for(owner), file_of(dumps({"b2b": [{"ctin": KA, "inv": invoices(30, "R")}]}))
        ).json()
        edited = {"b2b": [{"ctin": KA, "inv": invoices(30, "R", txval="2000.00")}]}
        second = post(client_for(owner), file_of(dumps(edited))).json()
    finally:
        for model in (Document, ImsRecord, ImsAudit):
            post_init.disconnect(heard, sender=model)

    assert (first["status"], first["result"]["created"]) == ("succeeded", 30)
    assert (second["status"], second["result"]["updated"]) == ("succeeded", 30)
    assert made == Counter()
    assert set(Document.objects.values_list("txval", flat=True)) == {Decimal("2000.00")}
    assert set(ImsRecord.objects.values_list("txval", flat=True)) == {Decimal("2000.00")}
    assert ImsAudit.objects.count() == 60  # created at N, then back to N after the supplier's edit


def test_issue12_an_upload_job_collects_garbage_less_often_and_gives_the_thresholds_back(owner, monkeypatch):
    """The job's validating and writing run with the youngest generation collected after 50,000 new objects
    (issue 12: the collector walking short-lived rows was a tenth of a large upload), and the process's
    thresholds are back as they were when the job ends — succeeded or failed."""
    import gc

    from invoices.services import uploads as module

    before = gc.get_threshold()
    during = []
    save = module.documents_save

    def spy(**kwargs):
        during.append(gc.get_threshold())
        return save(**kwargs)

    monkeypatch.setattr(module, "documents_save", spy)
    ok = post(client_for(owner), file_of(dumps({"b2b": [{"ctin": KA, "inv": invoices(3, "G")}]}))).json()
    assert ok["status"] == "succeeded" and gc.get_threshold() == before
    bad = invoices(1, "H")
    bad[0]["idt"] = "31-02-2025"
    failed = post(client_for(owner), file_of(dumps({"b2b": [{"ctin": KA, "inv": bad}]}))).json()
    assert failed["status"] == "failed" and gc.get_threshold() == before
    assert during == [(50_000, *before[1:])] * 2
