"""Pages of the GSTN layer: GSTR-2B as GSTN's JSON, downloaded from the 2B page."""

import json

from django.http import HttpResponse
from rest_framework.utils.encoders import JSONEncoder

from core.pages import page_period
from core.periods import period_code
from gstn import selectors
from returns.selectors import gstr2b_version
from taxpayers.pages import gstin_page


@gstin_page()
def gstr2b_gstn_json(request, taxpayer, period):
    """The 2B (latest, or ?version=n) in GSTN's v4 layout, every document in one file."""
    p = page_period(period)
    raw = request.GET.get("version")
    version = gstr2b_version(taxpayer=taxpayer, period=p, version=int(raw) if raw and raw.isdigit() else None)
    reply = selectors.gstr2b_gstn(version, None, whole=True)
    body = json.dumps(reply, cls=JSONEncoder, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json")
    name = f"GSTR2B_{taxpayer.gstin}_{period_code(p)}_v{version.version}_GSTN.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
