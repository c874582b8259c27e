"""Issue 17, item 1: the practitioner's cockpit — every GSTIN on one screen, figures against hand-computed
ones for three GSTINs, links, filters and sorting, the landing page, tenancy and a query count that does not
grow with the number of GSTINs.

Scenario (by hand), business date 15-12-2025:
- Bharat (KA, monthly, from Sep 2025) received Acme's INV-1 (1,000.00, IGST 180.00), INV-2 (2,500.00, IGST
  450.00) and CN-1 (200.00, IGST 36.00) of Sep 2025 (GSTR-1 filed 05-10-2025; 2B of Sep generated on 14-10,
  version 1, nothing changed since: Draft), and CN-20 of Oct 2025 (IGST 36.00), which Bharat keeps pending:
  its deadline is the 3B due date of Nov 2025, 20-12-2025, within 7 days. Bharat has filed no 3B, so the
  period to file is Sep 2025, due 20-10-2025: overdue. Filing it deems INV-1, INV-2 and CN-1 accepted: 3
  records, tax 180.00 + 450.00 + 36.00 = 666.00. At No action 3, Pending 1.
- Acme (MH, monthly, from Sep 2025) has received nothing: all counts 0; period Sep 2025, due 20-10-2025,
  overdue; no 2B of Sep although its 14-10 has passed: Not generated.
- Chola (GJ, from Dec 2025): the period to file is Dec 2025 (none has ended since it began), due 20-01-2026,
  not overdue; its 2B is first due on 14-01-2026: Not due. One GSTR-1 upload on 10-12-2025 11:00 and one open
  job."""

from datetime import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.periods import IST
from ims.models import ImsRecord
from ims.services.actions import ims_actions_apply
from invoices.services import documents_save, return_file
from jobs.models import Job
from returns.services.gstr2b import gstr2b_generate_if_due
from taxpayers.models import Membership, Taxpayer
from tests.conftest import GJ, KA, MH, UserFactory, gstr1, inv, member, note

pytestmark = pytest.mark.django_db


def web(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def save(supplier, period, payload):
    return documents_save(supplier=supplier, period=period, payload=payload, by="t", channel="api")


@pytest.fixture
def three(set_clock, supplier, recipient):
    set_clock("2025-10-05 10:00")
    save(
        supplier, 202509, gstr1(b2b=[inv("INV-1", "02-09-2025"), inv("INV-2", "03-09-2025", txval="2500.00")])
    )
    save(supplier, 202509, gstr1(cdnr=[note("CN-1", "10-09-2025", txval="200.00")]))
    return_file(supplier=supplier, period=202509, form="GSTR1", by="t", channel="api")
    set_clock("2025-10-14 09:00")
    assert gstr2b_generate_if_due(taxpayer=recipient, period=202509, trigger="schedule", by="system") is None
    set_clock("2025-11-05 10:00")
    save(supplier, 202510, gstr1(cdnr=[note("CN-20", "06-10-2025", txval="200.00")]))
    return_file(supplier=supplier, period=202510, form="GSTR1", by="t", channel="api")
    cn20 = ImsRecord.objects.get(number="CN-20")
    result = ims_actions_apply(
        recipient=recipient, actions=[{"id": cn20.id, "action": "P"}], by="b", channel="api"
    )
    assert result["processed"] == 1, result
    chola = Taxpayer.objects.create(
        gstin=GJ,
        legal_name="Chola Steels Ltd",
        trade_name="Chola Steels",
        state_code="24",
        ims_start_period=202512,
    )
    Job.objects.create(kind="gstr1_upload", taxpayer=chola, status="succeeded", created_at=_at(10, 11))
    Job.objects.create(kind="ims_export", taxpayer=chola, status="queued", created_at=_at(15, 9))
    set_clock("2025-12-15 10:00")
    user = member(recipient, "owner", "ca")
    for t in (supplier, chola):
        Membership.objects.create(user=user, taxpayer=t, role="owner")
    return user


def _at(day: int, hour: int) -> datetime:
    return datetime(2025, 12, day, hour, tzinfo=IST)


def rows_of(html: str) -> dict[str, str]:
    import re

    out = {}
    for gstin in (KA, MH, GJ):
        start = html.index(">", html.index(f'id="ck-{gstin}"')) + 1
        row = html[start : html.index("</tr>", start)]
        out[gstin] = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
    return out


def test_issue17_the_cockpit_shows_hand_computed_figures_for_three_gstins(three):
    r = web(three).get("/cockpit/")
    assert r.status_code == 200
    rows = rows_of(r.content.decode())
    assert rows[KA] == (
        f"{KA} Bharat Sep 2025 3 1 0 0 3 · 666.00 1 from 20-12-2025 Draft v1 Due 20-10-2025 overdue – 0"
    )
    assert rows[MH] == f"{MH} Acme Sep 2025 0 0 0 0 – – Not generated Due 20-10-2025 overdue – 0"
    assert rows[GJ] == f"{GJ} Chola Steels Dec 2025 0 0 0 0 – – Not due Due 20-01-2026 10-12-2025 11:00 1"


def test_issue17_every_cockpit_cell_links_to_its_filtered_page(three):
    html = web(three).get("/cockpit/").content.decode()
    row = html[html.index(f'id="ck-{KA}"') :]
    row = row[: row.index("</tr>")]
    for href in (
        f"/g/{KA}/",
        f"/g/{KA}/ims/inward?action=N",
        f"/g/{KA}/ims/inward?action=P",
        f"/g/{KA}/ims/inward?action=A",
        f"/g/{KA}/ims/inward?action=R",
        f"/g/{KA}/gstr2b/092025",
        f"/g/{KA}/gstr3b/092025",
    ):
        assert f'href="{href}"' in row, href


def test_issue17_the_cockpit_filters_and_sorts(three):
    client = web(three)
    html = client.get("/cockpit/", {"q": "chola"}).content.decode()
    assert f'id="ck-{GJ}"' in html and f'id="ck-{KA}"' not in html
    html = client.get("/cockpit/", {"s2b": "draft"}).content.decode()
    assert f'id="ck-{KA}"' in html and f'id="ck-{MH}"' not in html and f'id="ck-{GJ}"' not in html
    html = client.get("/cockpit/", {"overdue": "1"}).content.decode()
    assert f'id="ck-{GJ}"' not in html and f'id="ck-{KA}"' in html and f'id="ck-{MH}"' in html
    html = client.get("/cockpit/", {"sort": "deemed"}).content.decode()
    assert html.index(f'id="ck-{KA}"') < html.index(f'id="ck-{MH}"')  # 666.00 before 0
    html = client.get("/cockpit/", {"sort": "name"}).content.decode()
    assert html.index(f'id="ck-{MH}"') < html.index(f'id="ck-{KA}"') < html.index(f'id="ck-{GJ}"')


def test_issue17_r8_2_the_cockpit_is_the_landing_page_of_many_gstins_and_shows_only_ones_own(
    three, supplier, recipient
):
    assert web(three).get("/")["Location"] == "/cockpit/"
    single = member(recipient, "viewer", "solo")
    assert web(single).get("/")["Location"] == f"/g/{KA}/"
    html = web(single).get("/cockpit/").content.decode()
    assert f'id="ck-{KA}"' in html and f'id="ck-{MH}"' not in html and f'id="ck-{GJ}"' not in html
    staff = UserFactory(username="staff-user", is_staff=True)
    assert web(staff).get("/")["Location"] == "/cockpit/"
    assert f'id="ck-{GJ}"' in web(staff).get("/cockpit/").content.decode()


def test_issue17_the_cockpit_reads_200_gstins_in_as_many_queries_as_three(three):
    staff = UserFactory(username="staff-user", is_staff=True)
    client = web(staff)
    client.get("/cockpit/")  # session and first-use reads out of the count

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/cockpit/").status_code == 200
        return len(ctx.captured_queries)

    few = queries()
    Taxpayer.objects.bulk_create(
        Taxpayer(
            gstin=f"27AAAAA{i:04d}A1Z{i % 10}",
            legal_name=f"Client {i}",
            state_code="27",
            ims_start_period=202509,
        )
        for i in range(200)
    )
    assert Taxpayer.objects.count() == 203
    assert queries() == few
    assert few <= 16
