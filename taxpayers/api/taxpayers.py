"""API: taxpayers (GSTIN registrations) and their filing frequency (API.md "Auth and administration")."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import created, keyset, page_args, require_staff, validated
from core.periods import period_code
from core.schema import GSTIN, LIST_ARGS, errors, page_of
from taxpayers import services
from taxpayers.access import Perm, taxpayer_for, visible_taxpayers
from taxpayers.models import Taxpayer

TAG = ["Taxpayers"]


def _text(**kw):
    """A text field the service validates (so its codes and words stay the rule's)."""
    return serializers.CharField(required=False, allow_blank=True, allow_null=True, **kw)


class FrequencySerializer(serializers.Serializer):
    from_period = serializers.CharField(help_text="First period `MMYYYY` of a quarter.")
    frequency = serializers.ChoiceField(["M", "Q"])


class TaxpayerSerializer(serializers.Serializer):
    gstin = serializers.CharField()
    legal_name = serializers.CharField()
    trade_name = serializers.CharField()
    state_code = serializers.CharField()
    ims_start_period = serializers.CharField(help_text="`MMYYYY` (R-1.4).")
    eco_operator = serializers.BooleanField(help_text="Registered as an e-commerce operator (R-3.14).")
    frequencies = FrequencySerializer(many=True)


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
        "eco_operator": t.eco_operator,
        "frequencies": freqs,
    }


class TaxpayerListApi(APIView):
    class InputSerializer(serializers.Serializer):
        gstin = _text(help_text="15-character GSTIN (R-1.1).")
        legal_name = _text()
        trade_name = _text()
        filing_frequency = _text(help_text="`M` (default) or `Q` (R-1.3).")
        ims_start_period = _text(help_text="`MMYYYY`, default `102024` (R-1.4).")
        eco_operator = serializers.BooleanField(required=False, default=False, help_text="R-3.14.")

    @extend_schema(
        tags=TAG,
        operation_id="taxpayers_list",
        parameters=LIST_ARGS,
        responses={200: page_of("TaxpayerPage", TaxpayerSerializer), **errors()},
    )
    def get(self, request):
        limit, after = page_args(request.query_params)
        rows, nxt = keyset(visible_taxpayers(request.user).prefetch_related("frequencies"), limit, after)
        return Response({"records": [taxpayer_out(t) for t in rows], "next_cursor": nxt})

    @extend_schema(
        tags=TAG,
        operation_id="taxpayers_create",
        summary="Register a GSTIN (staff)",
        request=InputSerializer,
        responses={201: TaxpayerSerializer, **errors(400, 403, 409)},
    )
    def post(self, request):
        require_staff(request)
        data = validated(request, self.InputSerializer)
        t = services.taxpayer_create(
            gstin=data.get("gstin"),
            legal_name=data.get("legal_name"),
            trade_name=data.get("trade_name") or "",
            filing_frequency=data.get("filing_frequency") or "M",
            ims_start_period=data.get("ims_start_period"),
            eco_operator=data.get("eco_operator", False),
        )
        return created(taxpayer_out(t))


class TaxpayerDetailApi(APIView):
    class InputSerializer(serializers.Serializer):
        eco_operator = serializers.BooleanField(help_text="Registered as an e-commerce operator (R-3.14).")

    @extend_schema(
        tags=TAG,
        operation_id="taxpayers_update",
        summary="Set whether the GSTIN is an e-commerce operator (staff)",
        parameters=[GSTIN],
        request=InputSerializer,
        responses={200: TaxpayerSerializer, **errors(400, 403)},
    )
    def patch(self, request, gstin):
        t = taxpayer_for(request.user, gstin)  # outsiders: the same 404 as for an unknown GSTIN
        require_staff(request)
        data = validated(request, self.InputSerializer)
        return Response(taxpayer_out(services.taxpayer_update(taxpayer=t, eco_operator=data["eco_operator"])))

    @extend_schema(
        tags=TAG,
        operation_id="taxpayers_read",
        parameters=[GSTIN],
        responses={200: TaxpayerSerializer, **errors()},
    )
    def get(self, request, gstin):
        return Response(taxpayer_out(taxpayer_for(request.user, gstin)))


class FrequencyApi(APIView):
    class InputSerializer(serializers.Serializer):
        from_period = _text(help_text="First month of a quarter that has not begun, `MMYYYY` (R-1.3).")
        frequency = _text(help_text="`M` or `Q`.")

    @extend_schema(
        tags=TAG,
        operation_id="taxpayers_frequency_set",
        summary="Change the filing frequency from a quarter (owner)",
        parameters=[GSTIN],
        request=InputSerializer,
        responses={200: TaxpayerSerializer, **errors(400, 403, 409)},
    )
    def post(self, request, gstin):
        t = taxpayer_for(request.user, gstin, Perm.MANAGE)
        data = validated(request, self.InputSerializer)
        services.frequency_set(
            taxpayer=t, from_period=data.get("from_period"), frequency=data.get("frequency")
        )
        return Response(taxpayer_out(Taxpayer.objects.get(id=t.id)))
