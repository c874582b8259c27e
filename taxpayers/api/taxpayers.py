"""API: taxpayers (GSTIN registrations) and their filing frequency (API.md "Auth and administration")."""

from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import body, created, keyset, page_args, require_staff
from core.periods import period_code
from taxpayers import services
from taxpayers.access import Perm, taxpayer_for, visible_taxpayers
from taxpayers.models import Taxpayer


def taxpayer_out(t: Taxpayer) -> dict:
    freqs = [
        {"from_period": period_code(f.from_period), "frequency": f.frequency} for f in t.frequencies.all()
    ]
    return {
        "gstin": t.gstin,
        "legal_name": t.legal_name,
        "trade_name": t.trade_name,
        "state_code": t.state_code,
        "ims_start_period": period_code(t.ims_start_period),
        "frequencies": freqs,
    }


class TaxpayerListApi(APIView):
    def get(self, request):
        limit, after = page_args(request.query_params)
        rows, nxt = keyset(visible_taxpayers(request.user).prefetch_related("frequencies"), limit, after)
        return Response({"records": [taxpayer_out(t) for t in rows], "next_cursor": nxt})

    def post(self, request):
        require_staff(request)
        data = body(request)
        t = services.taxpayer_create(
            gstin=data.get("gstin"),
            legal_name=data.get("legal_name"),
            trade_name=data.get("trade_name") or "",
            filing_frequency=data.get("filing_frequency") or "M",
            ims_start_period=data.get("ims_start_period"),
        )
        return created(taxpayer_out(t))


class TaxpayerDetailApi(APIView):
    def get(self, request, gstin):
        return Response(taxpayer_out(taxpayer_for(request.user, gstin)))


class FrequencyApi(APIView):
    def post(self, request, gstin):
        t = taxpayer_for(request.user, gstin, Perm.MANAGE)
        data = body(request)
        services.frequency_set(
            taxpayer=t, from_period=data.get("from_period"), frequency=data.get("frequency")
        )
        return Response(taxpayer_out(Taxpayer.objects.get(id=t.id)))
