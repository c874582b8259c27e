"""The server publishes its OpenAPI 3 schema and browsable docs (API.md), served without a CDN."""

import re

from django.test import Client


def test_openapi_schema_lists_the_contract_paths(db):
    r = Client().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert r.status_code == 200
    body = r.content.decode()
    assert body.lstrip().startswith("{") or body.startswith("openapi")
    for path in (
        "/api/v1/auth/token",
        "/api/v1/gstr1/{gstin}/{period}/documents",
        "/api/v1/ims/{gstin}/inward/actions",
        "/api/v1/gstr2b/{gstin}/{period}",
        "/api/v1/gstr3b/{gstin}/{period}/file",
        "/api/v1/jobs/{job_id}",
    ):
        assert path in body, path


def test_api_docs_page_loads_its_assets_from_this_server(db):
    r = Client().get("/api/v1/docs/")
    assert r.status_code == 200
    page = r.content.decode()
    # Closed office networks: every script and stylesheet is a local /static/ URL.
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', page)
    assert assets
    for url in assets:
        assert url.startswith("/static/"), url
