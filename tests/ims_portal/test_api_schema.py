"""The published OpenAPI schema tells a client what to send and what comes back (issue 8 item 5): it
validates with no warning, every operation of API.md is in it, every operation that takes a body documents
it, and every operation documents its success reply and the error body."""

import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator

# API.md's operations, written out by hand from its tables: (method, path under /api/v1/, takes a body).
CONTRACT = [
    ("post", "auth/token", True),
    ("post", "taxpayers", True),
    ("get", "taxpayers", False),
    ("get", "taxpayers/{gstin}", False),
    ("post", "taxpayers/{gstin}/frequency", True),
    ("post", "taxpayers/{gstin}/members", True),
    ("delete", "taxpayers/{gstin}/members/{username}", False),
    ("post", "users", True),
    ("get", "admin/clock", False),
    ("put", "admin/clock", True),
    ("delete", "admin/clock", False),
    ("post", "admin/gstr2b/generate", True),
    ("post", "admin/sweeps/pending-expiry", False),
    ("get", "jobs/{job_id}", False),
    ("post", "gstr1/{gstin}/{period}/documents", True),
    ("get", "gstr1/{gstin}/{period}/documents", False),
    ("post", "gstr1/{gstin}/{period}/uploads", True),
    ("get", "gstr1/{gstin}/{period}", False),
    ("delete", "gstr1/{gstin}/{period}/documents/{doc_id}", False),
    ("post", "gstr1/{gstin}/{period}/file", True),
    ("get", "ims/{gstin}/outward", False),
    ("get", "ims/{gstin}/outward/addbacks", False),
    ("get", "ims/{gstin}/summary", False),
    ("get", "ims/{gstin}/inward", False),
    ("get", "ims/{gstin}/inward/{record_id}", False),
    ("post", "ims/{gstin}/inward/actions", True),
    ("post", "ims/{gstin}/inward/bulk", True),
    ("get", "ims/{gstin}/inward/export", False),
    ("post", "ims/{gstin}/inward/import", True),
    ("get", "gstr2b/{gstin}/{period}", False),
    ("get", "gstr2b/{gstin}/{period}/versions", False),
    ("get", "gstr2b/{gstin}/{period}/versions/{version}", False),
    ("post", "gstr2b/{gstin}/{period}/generate", False),
    ("get", "gstr2b/{gstin}/{period}/export", False),
    ("get", "gstr3b/{gstin}/{period}", False),
    ("post", "gstr3b/{gstin}/{period}/file", False),
]


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_schema_validates_with_no_warning(tmp_path):
    # --fail-on-warn turns every generator warning or error (an undocumented view, a clashing name) into
    # an exception; --validate checks the result against the OpenAPI 3 specification.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))


@pytest.mark.parametrize(("method", "path", "has_body"), CONTRACT, ids=[f"{m} {p}" for m, p, _ in CONTRACT])
def test_every_contract_operation_documents_its_request_and_replies(schema, method, path, has_body):
    operation = schema["paths"].get(f"/api/v1/{path}", {}).get(method)
    assert operation is not None, f"{method.upper()} /api/v1/{path} is not in the schema"
    assert operation.get("tags"), "every operation is grouped under a tag"
    if has_body:
        content = operation.get("requestBody", {}).get("content", {})
        assert content, "the body is documented"
        assert any(c.get("schema") for c in content.values())
    else:
        assert "requestBody" not in operation, "no body is offered where API.md takes none"
    responses = operation["responses"]
    success = [code for code in responses if code.startswith("2")]
    assert success, "a success reply is documented"
    for code in success:
        if code != "204":
            assert responses[code].get("content"), f"reply {code} has a schema"
    # Every operation may answer 401 and 404 with the contract's error body.
    for code in ("401", "404"):
        ref = responses[code]["content"]["application/json"]["schema"]["$ref"]
        assert ref.endswith("/ErrorBody"), ref


def test_the_error_body_component_is_the_contracts(schema):
    body = schema["components"]["schemas"]["ErrorBody"]
    error = schema["components"]["schemas"][body["properties"]["error"]["$ref"].rsplit("/", 1)[1]]
    assert set(error["properties"]) == {"code", "message", "details"}


def test_request_bodies_name_their_fields(schema):
    def fields(path, method):
        content = schema["paths"][f"/api/v1/{path}"][method]["requestBody"]["content"]
        ref = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        return set(schema["components"]["schemas"][ref]["properties"])

    assert fields("ims/{gstin}/inward/actions", "post") == {"actions"}
    assert fields("ims/{gstin}/inward/bulk", "post") == {"filter", "action", "remarks"}
    assert {"gstin", "legal_name", "filing_frequency", "ims_start_period"} <= fields("taxpayers", "post")
    assert fields("taxpayers/{gstin}/members", "post") == {"username", "role"}
    assert {"username", "password", "memberships"} <= fields("users", "post")
    assert fields("admin/clock", "put") == {"now"}
    assert fields("admin/gstr2b/generate", "post") == {"period", "gstins"}
    gstr1 = fields("gstr1/{gstin}/{period}/documents", "post")
    assert {"b2b", "b2ba", "cdnr", "cdnra", "ecom", "ecoma"} <= gstr1
