"""Issue 15: every page, for every demo login, in a real browser (Chromium through Playwright), on the
demo data of `make run`: no console error, no uncaught exception, no failed request (network error or a
4xx/5xx answer, the htmx requests a page makes by itself included); and axe-core finds no serious or
critical accessibility violation on the main pages."""

from io import StringIO
from pathlib import Path

import axe_playwright_python
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from ims.models import ImsRecord
from ims_portal.management.commands.seed_demo import LOGINS
from invoices.models import Document
from taxpayers.access import visible_taxpayers
from taxpayers.models import Membership
from tests.ims_portal import test_browser as tb
from tests.ims_portal.test_demo_pages import PERIODS

pytestmark = pytest.mark.django_db(transaction=True)
browser = tb.browser  # the module-scoped Chromium of test_browser

AXE_JS = Path(axe_playwright_python.__file__).with_name("axe.min.js")
RECORDS_PER_GSTIN = 2  # record pages differ only in their data; two of each GSTIN are walked


@pytest.fixture
def demo(settings, live_server):
    settings.IMS_SANDBOX_CLOCK = True
    call_command("seed_demo", stdout=StringIO())
    return live_server


def pages_of(user) -> list[str]:
    urls = ["/", "/jobs/", "/alerts/", "/cockpit/"]
    if user.is_staff:
        urls.append("/admin-tools/")
    for t in visible_taxpayers(user):
        g = t.gstin
        writes = (
            user.is_staff
            or Membership.objects.filter(user=user, taxpayer=t, role__in=("owner", "preparer")).exists()
        )
        urls += [
            f"/g/{g}/",
            f"/g/{g}/ims/inward",
            f"/g/{g}/ims/inward?goods_typ=IMP_GDS",
            f"/g/{g}/ims/outward",
            f"/g/{g}/gstr1/",
            f"/g/{g}/gstr2b/",
            f"/g/{g}/gstr3b/",
            f"/g/{g}/reconciliation",
            f"/g/{g}/reconciliation?period=112025",
            f"/g/{g}/reconciliation/follow-up?period=112025",
        ]
        if writes:  # a viewer is refused the forms (403), as it should be
            urls.append(f"/g/{g}/gstr1/102025/documents/new")
        if user.is_staff or Membership.objects.filter(user=user, taxpayer=t, role="owner").exists():
            urls += [f"/g/{g}/webhooks", f"/g/{g}/ims/rules"]
        for p in PERIODS:
            urls += [f"/g/{g}/gstr1/{p}", f"/g/{g}/gstr2b/{p}", f"/g/{g}/gstr3b/{p}"]
        records = ImsRecord.objects.filter(recipient=t, removed=False).order_by("id")
        urls += [
            f"/g/{g}/ims/inward/{rid}" for rid in records.values_list("id", flat=True)[:RECORDS_PER_GSTIN]
        ]
        doc = Document.objects.filter(supplier=t, filed_at__isnull=True).order_by("id").first()
        if doc is not None and writes:
            urls.append(f"/g/{g}/gstr1/{doc.period % 100:02d}{doc.period // 100}/documents/{doc.id}/edit")
    return urls


def sign_in(page, username: str, password: str) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def test_issue15_every_page_of_every_demo_login_has_no_console_error_and_no_failed_request(browser, demo):
    problems = []
    User = get_user_model()
    for _, username, password, _ in LOGINS:
        user = User.objects.get(username=username)
        context = browser.new_context(base_url=demo.url, locale="en-IN")
        context.set_default_timeout(15_000)
        page = context.new_page()
        where = {"url": "/login/"}
        page.on(
            "console",
            lambda m, w=where, u=username: (
                m.type == "error" and problems.append(f"{u} {w['url']}: console {m.text}")
            ),
        )
        page.on("pageerror", lambda e, w=where, u=username: problems.append(f"{u} {w['url']}: exception {e}"))
        page.on(
            "requestfailed",
            lambda r, w=where, u=username: problems.append(f"{u} {w['url']}: {r.url} failed {r.failure}"),
        )
        page.on(
            "response",
            lambda r, w=where, u=username: (
                r.status >= 400
                and problems.append(f"{u} {w['url']}: {r.request.method} {r.url} answered {r.status}")
            ),
        )
        sign_in(page, username, password)
        for url in pages_of(user):
            where["url"] = url
            page.goto(url)
            page.wait_for_load_state("networkidle")
        context.close()
    assert problems == []


# The main pages of a recipient, a supplier and staff; each checked as it first appears.
AXE_PAGES = {
    "bharat": [
        "/g/{bharat}/",
        "/g/{bharat}/ims/inward",
        "/g/{bharat}/ims/inward/{record}",
        "/g/{bharat}/gstr2b/092025",
        "/g/{bharat}/gstr3b/092025",
        "/g/{bharat}/reconciliation?period=112025",
        "/g/{bharat}/reconciliation/follow-up?period=112025",
        "/jobs/",
    ],
    "acme": [
        "/g/{acme}/ims/outward",
        "/g/{acme}/gstr1/",
        "/g/{acme}/gstr1/102025",
        "/g/{acme}/gstr1/102025/documents/new",
    ],
    "admin": ["/admin-tools/", "/cockpit/", "/alerts/", "/g/{bharat}/webhooks", "/g/{bharat}/ims/rules"],
}


def test_issue15_axe_finds_no_serious_or_critical_violation_on_the_main_pages(browser, demo):
    from ims_portal.management.commands.seed_demo import ACME, BHARAT

    passwords = {username: password for _, username, password, _ in LOGINS}
    record = ImsRecord.objects.filter(recipient__gstin=BHARAT, removed=False).order_by("id").first().id
    found = []
    for username, urls in AXE_PAGES.items():
        # The portal's CSP allows no inline script; axe is injected by the test, so the check bypasses it.
        context = browser.new_context(base_url=demo.url, locale="en-IN", bypass_csp=True)
        page = context.new_page()
        page.goto("/login/")
        found += _violations(page, "/login/")
        sign_in(page, username, passwords[username])
        for pattern in urls:
            url = pattern.format(bharat=BHARAT, acme=ACME, record=record)
            page.goto(url)
            found += _violations(page, url)
        context.close()
    assert found == [], "\n".join(found)


def _violations(page, url: str) -> list[str]:
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map((v) => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' '))}))"
    )
    return [
        f"{url}: {v['id']} ({v['impact']}) {v['help']} at {v['nodes']}"
        for v in result
        if v["impact"] in ("serious", "critical")
    ]
