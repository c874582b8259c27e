"""Django admin: registered for taxpayers, members, documents and IMS records, and read-mostly."""

import pytest
from django.test import Client

from ims.models import ImsRecord
from invoices.models import Document
from tests.conftest import MH, UserFactory, client_for, gstr1, inv, member


@pytest.fixture
def admin_client_logged(db):
    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def saved(set_clock, supplier, recipient):
    set_clock("2025-10-20 10:00")
    owner = client_for(member(supplier, "owner"))
    r = owner.post(
        f"/api/v1/gstr1/{MH}/102025/documents", gstr1(b2b=[inv("ADM-1", "05-10-2025")]), format="json"
    )
    assert r.status_code == 201
    return Document.objects.get(number="ADM-1")


@pytest.mark.parametrize(
    "url",
    [
        "/admin/taxpayers/taxpayer/",
        "/admin/taxpayers/membership/",
        "/admin/invoices/document/",
        "/admin/ims/imsrecord/",
        "/admin/ims/imsaudit/",
        "/admin/invoices/returnfiling/",
    ],
)
def test_admin_changelists_render(admin_client_logged, saved, url):
    assert admin_client_logged.get(url).status_code == 200


def test_r3_8_admin_cannot_edit_or_delete_documents(admin_client_logged, saved):
    url = f"/admin/invoices/document/{saved.id}/change/"
    assert admin_client_logged.get(url).status_code == 200  # viewable
    r = admin_client_logged.post(url, {"number": "CHANGED"})
    assert r.status_code == 403
    assert (
        admin_client_logged.post(f"/admin/invoices/document/{saved.id}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert Document.objects.get(id=saved.id).number == "ADM-1"


def test_r4_9_admin_cannot_edit_ims_records(admin_client_logged, saved):
    rec = ImsRecord.objects.get(document=saved)
    r = admin_client_logged.post(f"/admin/ims/imsrecord/{rec.id}/change/", {"action": "A"})
    assert r.status_code == 403
    assert ImsRecord.objects.get(id=rec.id).action == "N"


def test_admin_refuses_non_staff(db):
    c = Client()
    c.force_login(UserFactory(username="plain"))
    r = c.get("/admin/invoices/document/")
    assert r.status_code == 302  # to the admin login
