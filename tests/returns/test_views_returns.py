"""Pages of the dashboard, GSTR-2B, GSTR-3B, jobs and admin tools (issue 4): each page as owner / viewer /
outsider (R-8.2), refusals in words, recompute and admin work as jobs followed by an htmx fragment.

Scenario (by hand): Acme (MH) files INV-1 (1000.00 / IGST 180.00) and INV-2 (500.00 / IGST 90.00) to
Bharat (KA) in GSTR-1 for Oct 2025 on 05-11-2025; Bharat's GSTR-3B for Sep 2025 is filed; the business
date is 14-11-2025, so Oct 2025's GSTR-2B is due and its GSTR-3B is due on 20-11-2025."""

import re
from datetime import datetime

import pytest
from django.test import Client

from core import clock
from core.periods import IST
from ims.models import ImsRecord
from ims.services.actions import ims_actions_apply
from jobs.models import Job, JobStatus
from returns.models import Gstr2bVersion, Gstr3bFiling
from taxpayers.services import taxpayer_create
from tests.conftest import DL, KA, MH, UserFactory, client_for, gstr1, inv, member

G = f"/g/{KA}"
# Queries of a 2B page whatever its number of lines: session, user, access, context processor, Context
# (calendar, filed 3Bs), versions, the version, its lines, filed 3B, latest, stale, recompute refusal, and
# the IFF closing check every request makes first.
QUERIES_2B = 21


def page(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def htmx(c: Client, url: str, data=None):
    return c.post(url, data or {}, HTTP_HX_REQUEST="true")


@pytest.fixture
def owner(recipient):
    return member(recipient, "owner", "rita")


@pytest.fixture
def viewer(recipient):
    return member(recipient, "viewer", "vijay")


@pytest.fixture
def preparer(recipient):
    return member(recipient, "preparer", "pooja")


@pytest.fixture
def october(set_clock, supplier, recipient):
    set_clock("2025-10-20 10:00")
    sup = client_for(member(supplier, "owner"))
    body = gstr1(b2b=[inv("INV-1", "05-10-2025"), inv("INV-2", "06-10-2025", txval="500.00")])
    assert sup.post(f"/api/v1/gstr1/{MH}/102025/documents", body, format="json").status_code == 201
    set_clock("2025-11-05 10:00")
    for p in ("092025", "102025"):
        assert sup.post(f"/api/v1/gstr1/{MH}/{p}/file", {"form": "GSTR1"}, format="json").status_code == 200
    set_clock("2025-11-14 10:00")
    Gstr3bFiling.objects.create(taxpayer=recipient, period=202509, filed_at=clock.now())


def recompute(c: Client) -> str:
    r = htmx(c, f"{G}/gstr2b/102025/recompute")
    assert r.status_code == 200, r.content
    return r.content.decode()


# --- Dashboard ----------------------------------------------------------------------------------------------


def test_r4_11_dashboard_counts_countdown_and_statuses(october, owner):
    r = page(owner).get(f"{G}/")
    assert r.status_code == 200
    html = r.content.decode()
    assert f'href="{G}/ims/inward?action=N"' in html
    # Two records at No action of Oct 2025: filing its GSTR-3B deems them accepted (tax 180 + 90).
    assert "2 records</strong> worth <strong>₹270.00</strong> tax" in html
    assert "taxable value ₹1,500.00" in html
    assert "20-11-2025" in html
    assert "Not generated" in html and "GSTR-2B of this period is not generated yet" in html
    assert "GSTR-2B of this period is not generated yet: generate it." in html
    assert f'href="{G}/gstr2b/102025"' in html and f'href="{G}/gstr3b/102025"' in html


def test_r5_5_dashboard_shows_draft_then_stale_2b(october, owner, recipient):
    c = page(owner)
    recompute(c)
    assert "Draft" in c.get(f"{G}/").content.decode()
    rid = ImsRecord.objects.get(number="INV-1").id
    res = ims_actions_apply(
        recipient=recipient, actions=[{"id": rid, "action": "A"}], by="rita", channel="web"
    )
    assert res["errors"] == []
    html = c.get(f"{G}/").content.decode()
    assert "Stale" in html and "Recompute it." in html
    assert "GSTR-2B is out of date: recompute it." in html


def test_r8_2_dashboard_viewer_reads_outsider_404(october, viewer, outsider):
    assert page(viewer).get(f"{G}/").status_code == 200
    assert page(outsider).get(f"{G}/").status_code == 404


# --- GSTR-2B ------------------------------------------------------------------------------------------------


def test_r5_3_2b_page_reasons_in_words(set_clock, owner, recipient):
    set_clock("2025-11-14 10:00")
    c = page(owner)
    html = c.get(f"{G}/gstr2b/102025").content.decode()
    assert "GSTR-3B of the previous period is not filed yet: file it first." in html
    html = c.get(f"{G}/gstr2b/112025").content.decode()
    assert "GSTR-2B of Nov 2025 is first generated on 14-12-2025." in html
    html = c.get(f"{G}/gstr2b/082025").content.decode()
    assert "This period is before the start period of Bharat (Sep 2025)." in html
    q = taxpayer_create(gstin=DL, legal_name="Delhi Co", filing_frequency="Q", ims_start_period="102025")
    qc = page(member(q, "owner"))
    html = qc.get(f"/g/{DL}/gstr2b/102025").content.decode()
    assert "Quarterly taxpayers have one GSTR-2B per quarter: see Oct–Dec 2025" in html
    assert f'href="/g/{DL}/gstr2b/122025"' in html


def test_r5_5_2b_home_defaults_to_latest_version_or_last_month(october, owner):
    c = page(owner)
    r = c.get(f"{G}/gstr2b/")
    assert r.status_code == 302 and r["Location"] == f"{G}/gstr2b/102025"
    r = c.get(f"{G}/gstr2b/?period=092025")
    assert r["Location"] == f"{G}/gstr2b/092025"
    assert c.get(f"{G}/gstr2b/?period=132025").status_code == 404


def test_r5_5_recompute_starts_a_job_and_the_fragment_shows_it_finished(october, owner):
    c = page(owner)
    html = c.get(f"{G}/gstr2b/102025").content.decode()
    assert "Recompute GSTR-2B" in html and f'hx-post="{G}/gstr2b/102025/recompute"' in html
    frag = recompute(c)
    job = Job.objects.get()
    assert (job.kind, job.status, job.params) == (
        "gstr2b_recompute",
        "succeeded",
        {"period": 202510, "by": "rita"},
    )
    assert "Finished" in frag and "GSTR-2B version 1 generated." in frag
    assert f"{G}/gstr2b/102025?version=1" in frag
    assert "hx-get" not in frag  # finished: polling stops
    follow = c.get(f"/jobs/{job.id}/progress").content.decode()
    assert "Finished" in follow and "1 of 1" in follow


def test_r5_4_2b_page_sections_totals_lines_versions(october, owner):
    c = page(owner)
    recompute(c)
    recompute(c)
    html = c.get(f"{G}/gstr2b/102025").content.decode()
    assert "Draft" in html and "Version 2" in html
    for text in ("ITC available", "ITC not available", "ITC rejected", "Part B — ITC reversal"):
        assert text in html
    # ITC available, Part A, B2B invoices: 1,500.00 taxable, 270.00 IGST (right-aligned cells).
    assert '<td class="num">1,500.00</td><td class="num">270.00</td>' in html
    assert "INV-1" in html and "INV-2" in html and MH in html
    assert f"{G}/gstr2b/102025?version=1" in html and "Recompute" in html and ">rita<" in html
    old = c.get(f"{G}/gstr2b/102025?version=1").content.decode()
    assert "You are viewing version 1" in old
    assert c.get(f"{G}/gstr2b/102025?version=9").status_code == 404
    assert c.get(f"{G}/gstr2b/102025?version=x").status_code == 404


def test_r4_5_rejected_lines_show_remarks(october, owner, recipient):
    rid = ImsRecord.objects.get(number="INV-2").id
    res = ims_actions_apply(
        recipient=recipient,
        actions=[{"id": rid, "action": "R", "remarks": "Goods not received"}],
        by="rita",
        channel="web",
    )
    assert res["errors"] == []
    c = page(owner)
    recompute(c)
    html = c.get(f"{G}/gstr2b/102025").content.decode()
    assert "Goods not received" in html and "Rejected" in html


def test_r5_5_stale_banner_with_recompute(october, owner, recipient):
    c = page(owner)
    recompute(c)
    assert "stale-banner" not in c.get(f"{G}/gstr2b/102025").content.decode()
    rid = ImsRecord.objects.get(number="INV-1").id
    ims_actions_apply(recipient=recipient, actions=[{"id": rid, "action": "A"}], by="rita", channel="web")
    html = c.get(f"{G}/gstr2b/102025").content.decode()
    banner = html[html.index('id="stale-banner"') :]
    assert "GSTR-2B is out of date" in banner
    assert "Recompute GSTR-2B" in banner[: banner.index("</div>\n  </div>")]


def test_r5_5_recompute_refusal_in_words(set_clock, owner, recipient):
    set_clock("2025-11-10 10:00")
    c = page(owner)
    html = c.get(f"{G}/gstr2b/102025").content.decode()
    assert "Recompute is not available" in html
    r = htmx(c, f"{G}/gstr2b/102025/recompute")
    assert r.status_code == 200
    assert "GSTR-2B of Oct 2025 is first generated on 14-11-2025." in r.content.decode()
    r = c.post(f"{G}/gstr2b/102025/recompute")
    assert r.status_code == 409 and "first generated on 14-11-2025" in r.content.decode()
    assert not Job.objects.exists()


def test_r8_2_2b_page_viewer_reads_without_buttons_and_is_refused(october, owner, viewer, outsider):
    recompute(page(owner))
    v = page(viewer)
    html = v.get(f"{G}/gstr2b/102025").content.decode()
    assert "INV-1" in html and "Recompute GSTR-2B" not in html
    assert htmx(v, f"{G}/gstr2b/102025/recompute").status_code == 403
    assert page(outsider).get(f"{G}/gstr2b/102025").status_code == 404
    assert htmx(page(outsider), f"{G}/gstr2b/102025/recompute").status_code == 404
    assert Job.objects.count() == 1


def test_r5_5_recompute_without_htmx_goes_to_the_job(october, owner):
    r = page(owner).post(f"{G}/gstr2b/102025/recompute")
    job = Job.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/jobs/{job.id}"


def test_r5_4_2b_page_queries_do_not_grow_with_lines(october, owner, supplier, django_assert_max_num_queries):
    c = page(owner)
    recompute(c)
    with django_assert_max_num_queries(QUERIES_2B):
        assert c.get(f"{G}/gstr2b/102025").status_code == 200
    # Twenty more invoices: the same bound.
    set_when = datetime(2025, 10, 25, 10, 0, tzinfo=IST)
    clock.clock_set(business_at=set_when)
    sup = client_for(member(supplier, "preparer"))
    body = gstr1(b2b=[inv(f"X-{i}", "07-10-2025") for i in range(20)])
    assert sup.post(f"/api/v1/gstr1/{MH}/102025/documents", body, format="json").status_code == 201
    clock.clock_set(business_at=datetime(2025, 11, 14, 11, 0, tzinfo=IST))
    recompute(c)
    assert Gstr2bVersion.objects.filter(period=202510).count() == 2
    with django_assert_max_num_queries(QUERIES_2B):
        html = c.get(f"{G}/gstr2b/102025").content.decode()
    assert "INV-1" in html


# --- GSTR-3B ------------------------------------------------------------------------------------------------


def test_r6_3_3b_blockers_in_words_with_links(october, owner, recipient):
    c = page(owner)
    html = c.get(f"{G}/gstr3b/102025").content.decode()
    assert (
        f'<a href="{G}/gstr2b/102025">GSTR-2B of this period is not generated yet: generate it.</a>' in html
    )
    assert "File GSTR-3B" not in html
    recompute(c)
    rid = ImsRecord.objects.get(number="INV-1").id
    ims_actions_apply(recipient=recipient, actions=[{"id": rid, "action": "A"}], by="rita", channel="web")
    html = c.get(f"{G}/gstr3b/102025").content.decode()
    assert f'<a href="{G}/gstr2b/102025">GSTR-2B is out of date: recompute it.</a>' in html
    # November has not ended and October is not filed.
    html = c.get(f"{G}/gstr3b/112025").content.decode()
    assert "The return period has not ended yet: GSTR-3B can be filed after 30-11-2025." in html
    assert f'<a href="{G}/gstr3b/102025">GSTR-3B of the previous period (Oct 2025) is not filed yet' in html


def test_r6_5_3b_quarterly_month_sentence(set_clock):
    set_clock("2025-11-14 10:00")
    q = taxpayer_create(gstin=DL, legal_name="Delhi Co", filing_frequency="Q", ims_start_period="102025")
    html = page(member(q, "owner")).get(f"/g/{DL}/gstr3b/112025").content.decode()
    assert "Quarterly taxpayers file one GSTR-3B per quarter: see Oct–Dec 2025" in html


def test_r6_3_owner_files_3b_after_confirmation(october, owner, recipient):
    c = page(owner)
    recompute(c)
    html = c.get(f"{G}/gstr3b/102025").content.decode()
    assert "Nothing blocks filing" in html and "<dialog" in html
    assert "Only an owner of this GSTIN can file" not in html
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "Filing freezes GSTR-2B and GSTR-3B for Oct 2025; it cannot be undone." in text
    # Issue 15: the dialog says what filing does, in figures (INV-1 180.00 + INV-2 90.00 at No action),
    # and Cancel comes first and is focused, so Enter never files by accident.
    assert "2 records at No action will be deemed accepted (tax ₹270.00)." in text
    assert "0 pending or waiting records will be carried forward to the next period." in text
    dialog = html[html.index("<dialog") :]
    assert dialog.index("data-close-dialog autofocus>Cancel") < dialog.index('type="submit" class="primary"')
    # 4A(5) All other ITC: 1,500.00 taxable, 270.00 IGST.
    row = html[html.index('id="t-4A5"') :]
    assert '<td class="num">1,500.00</td><td class="num">270.00</td>' in row[: row.index("</tr>")]
    # Without the dialog's confirmation nothing is filed.
    r = c.post(f"{G}/gstr3b/102025/file")
    assert r.status_code == 400 and not Gstr3bFiling.objects.filter(period=202510).exists()
    r = c.post(f"{G}/gstr3b/102025/file", {"confirm": "yes"})
    assert r.status_code == 302 and r["Location"] == f"{G}/gstr3b/102025?filed=1"
    assert Gstr3bFiling.objects.filter(taxpayer=recipient, period=202510).exists()
    html = c.get(r["Location"]).content.decode()
    assert "is filed" in html and "Filed on 14-11-2025" in html and "<dialog" not in html
    # Filing again is refused in words.
    r = c.post(f"{G}/gstr3b/102025/file", {"confirm": "yes"})
    assert r.status_code == 409 and "GSTR-3B of this period is filed." in r.content.decode()
    assert ImsRecord.objects.filter(recipient=recipient, deemed_accepted=True).count() == 2


def test_r8_2_3b_preparer_and_viewer_cannot_file(october, owner, preparer, viewer, outsider):
    recompute(page(owner))
    for user in (preparer, viewer):
        c = page(user)
        html = c.get(f"{G}/gstr3b/102025").content.decode()
        assert "Nothing blocks filing" in html and "File GSTR-3B" not in html
        # Issue 15: the page says why there is no File button.
        assert "Only an owner of this GSTIN can file GSTR-3B" in html
        assert c.post(f"{G}/gstr3b/102025/file", {"confirm": "yes"}).status_code == 403
    assert page(outsider).get(f"{G}/gstr3b/102025").status_code == 404
    assert page(outsider).post(f"{G}/gstr3b/102025/file", {"confirm": "yes"}).status_code == 404
    assert not Gstr3bFiling.objects.filter(period=202510).exists()


def test_r6_3_3b_home_goes_to_the_oldest_return_owed(october, owner):
    r = page(owner).get(f"{G}/gstr3b/")
    assert r.status_code == 302 and r["Location"] == f"{G}/gstr3b/102025"


# --- Jobs ---------------------------------------------------------------------------------------------------


def test_r9_3_running_job_fragment_polls_with_counts(october, owner, recipient):
    job = Job.objects.create(
        kind="gstr2b_generate",
        created_by=owner,
        params={"period": 202510, "gstins": None},
        status=JobStatus.RUNNING,
        done=12400,
        total=20000,
        created_at=clock.now(),
    )
    html = page(owner).get(f"/jobs/{job.id}/progress").content.decode()
    assert f'hx-get="/jobs/{job.id}/progress"' in html and 'hx-trigger="load delay:1s"' in html
    assert '<progress max="20000" value="12400"' in html and "12,400 of 20,000" in html


def test_r8_2_jobs_visible_to_creator_members_and_staff_only(october, owner, viewer, outsider, staff):
    recompute(page(owner))
    job = Job.objects.get()
    other = Job.objects.create(kind="pending_expiry", created_by=staff, params={}, created_at=clock.now())
    html = page(owner).get("/jobs/").content.decode()
    assert f'href="/jobs/{job.id}"' in html and "GSTR-2B recompute" in html and KA in html
    assert f'href="/jobs/{other.id}"' not in html
    # A viewer of the GSTIN sees its jobs.
    assert page(viewer).get(f"/jobs/{job.id}").status_code == 200
    html = page(outsider).get("/jobs/").content.decode()
    assert f'href="/jobs/{job.id}"' not in html
    assert page(outsider).get(f"/jobs/{job.id}").status_code == 404
    assert page(outsider).get(f"/jobs/{job.id}/progress").status_code == 404
    assert page(outsider).get("/jobs/999999").status_code == 404
    html = page(staff).get("/jobs/").content.decode()
    assert f'href="/jobs/{job.id}"' in html and f'href="/jobs/{other.id}"' in html
    detail = page(owner).get(f"/jobs/{job.id}").content.decode()
    assert "GSTR-2B version 1 generated." in detail and "rita" in detail


# --- Admin tools --------------------------------------------------------------------------------------------


def test_r8_admin_tools_staff_only(set_clock, staff, owner, recipient):
    set_clock("2025-11-14 10:00")
    html = page(staff).get("/admin-tools/").content.decode()
    assert "Generate GSTR-2B" in html and "Run the sweep now" in html and "Sandbox clock" in html
    assert 'value="14-11-2025 10:00"' in html and "Return to real time" in html
    c = page(owner)
    assert c.get("/admin-tools/").status_code == 403
    for url in ("gstr2b-generate", "pending-expiry", "clock"):
        assert c.post(f"/admin-tools/{url}", {"period": "102025"}).status_code == 403
    assert Client().get("/admin-tools/").status_code == 302
    assert not Job.objects.exists()


def test_r5_2_admin_generate_for_all_or_listed_gstins(october, staff, recipient):
    c = page(staff)
    frag = htmx(c, "/admin-tools/gstr2b-generate", {"period": "102025", "scope": "all"}).content.decode()
    job = Job.objects.get(parent=None)  # its parts are child jobs (issue 13)
    assert (job.kind, job.params) == (
        "gstr2b_generate",
        {"period": 202510, "gstins": None, "trigger": "admin", "by": "staff"},
    )
    # Bharat generated; Acme skipped (its Sep 2025 GSTR-3B is not filed).
    assert "Generated for 1 GSTINs; skipped 1 (PREVIOUS_3B_NOT_FILED: 1)." in frag
    assert Gstr2bVersion.objects.filter(taxpayer=recipient, period=202510, trigger="admin").count() == 1
    r = c.post(
        "/admin-tools/gstr2b-generate", {"period": "102025", "scope": "listed", "gstins": f"{KA}, {MH}"}
    )
    assert r.status_code == 302 and r["Location"] == "/admin-tools/"
    assert Job.objects.filter(parent=None).order_by("-id").first().params["gstins"] == [KA, MH]


def test_r5_2_admin_generate_form_errors(set_clock, staff):
    set_clock("2025-11-14 10:00")
    c = page(staff)
    r = c.post("/admin-tools/gstr2b-generate", {"period": "132025", "scope": "all"})
    assert r.status_code == 400 and 'id="gen-period-error"' in r.content.decode()
    r = c.post(
        "/admin-tools/gstr2b-generate", {"period": "102025", "scope": "listed", "gstins": "29AAGCB7383J1Z5"}
    )
    assert r.status_code == 400 and "29AAGCB7383J1Z5:" in r.content.decode()
    r = c.post("/admin-tools/gstr2b-generate", {"period": "102025", "scope": "listed", "gstins": " "})
    assert r.status_code == 400 and "List at least one GSTIN" in r.content.decode()
    assert not Job.objects.exists()


def test_r4_4_admin_runs_the_pending_expiry_sweep(set_clock, staff):
    set_clock("2025-11-14 10:00")
    frag = htmx(page(staff), "/admin-tools/pending-expiry").content.decode()
    job = Job.objects.get(parent=None)
    assert (job.kind, job.status) == ("pending_expiry", "succeeded")
    assert "0 pending records expired to No action." in frag


def test_r9_4_admin_sets_and_resets_the_sandbox_clock(set_clock, staff):
    set_clock("2025-11-14 10:00")
    c = page(staff)
    r = c.post("/admin-tools/clock", {"business_at": "2025-12-14T00:00"})
    assert r.status_code == 302
    now = clock.now().astimezone(IST)
    assert (now.year, now.month, now.day, now.hour) == (2025, 12, 14, 0)
    assert not Job.objects.exists()  # changing the clock runs no job
    # Issue 15: typed as the portal writes dates (DD-MM-YYYY HH:MM; a date alone is 00:00), shown so too.
    assert c.post("/admin-tools/clock", {"business_at": "15-12-2025 09:30"}).status_code == 302
    now = clock.now().astimezone(IST)
    assert (now.day, now.month, now.hour, now.minute) == (15, 12, 9, 30)
    assert 'value="15-12-2025 09:30"' in c.get("/admin-tools/").content.decode()
    assert c.post("/admin-tools/clock", {"business_at": "16-12-2025"}).status_code == 302
    assert clock.now().astimezone(IST).day == 16
    for wrong in ("12/16/2025", "31-02-2025", "tomorrow"):
        r = c.post("/admin-tools/clock", {"business_at": wrong})
        assert r.status_code == 400 and 'id="clock-error"' in r.content.decode()
    assert c.post("/admin-tools/clock", {"reset": "1"}).status_code == 302
    assert not clock.is_sandbox_set()


def test_r9_4_clock_form_absent_without_sandbox(settings, staff):
    settings.IMS_SANDBOX_CLOCK = False
    c = page(staff)
    assert "Sandbox clock" not in c.get("/admin-tools/").content.decode()
    assert c.post("/admin-tools/clock", {"business_at": "2025-12-14T00:00"}).status_code == 404


def test_r8_2_non_staff_user_without_taxpayers_sees_empty_jobs(db):
    user = UserFactory()
    assert page(user).get("/jobs/").status_code == 200
