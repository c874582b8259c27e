"""Shapes of the GSTR-2B and GSTR-3B replies (API.md), for the OpenAPI schema. The replies themselves are
built by ``returns.selectors`` and ``returns.services.gstr3b``."""

from rest_framework import serializers

from core.schema import Money
from returns.domain import DOC_SECTIONS, GROUP_KEYS


class TotalSerializer(serializers.Serializer):
    txval = Money()
    igst = Money()
    cgst = Money()
    sgst = Money()
    cess = Money()


def _block(name: str, keys) -> type:
    fields = {k: TotalSerializer() for k in keys}
    fields["total"] = TotalSerializer()
    return type(name, (serializers.Serializer,), fields)


def _group(name: str, grp: str) -> type:
    subs = {
        sub: _block(f"{name}{sub.capitalize()}Serializer", keys)()
        for (g, sub), keys in GROUP_KEYS.items()
        if g == grp
    }
    return type(name + "Serializer", (serializers.Serializer,), subs)


class ItcSummarySerializer(serializers.Serializer):
    itcavl = _group("ItcAvailable", "itcavl")()
    itcunavl = _group("ItcNotAvailable", "itcunavl")()
    itcRejected = _group("ItcRejected", "itcRejected")()  # noqa: N815 (GSTN's name)


class Gstr2bLineSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The IMS record.")
    inum = serializers.CharField(required=False)
    ntnum = serializers.CharField(required=False)
    typ = serializers.CharField()
    dt = serializers.CharField(help_text="`DD-MM-YYYY`")
    val = Money()
    pos = serializers.CharField()
    rev = serializers.ChoiceField(["Y", "N"])
    itcavl = serializers.ChoiceField(["Y", "N"])
    rsn = serializers.ChoiceField(["P", "C"], allow_null=True)
    txval = Money()
    igst = Money()
    cgst = Money()
    sgst = Money()
    cess = Money()
    imsStatus = serializers.CharField()  # noqa: N815 (GSTN's name)
    oinum = serializers.CharField(required=False)
    oidt = serializers.CharField(required=False)
    ont_num = serializers.CharField(required=False)
    ont_dt = serializers.CharField(required=False)
    delta = TotalSerializer(required=False, help_text="Amendments: the counted effect (R-5.4).")
    itcRedReq = serializers.ChoiceField(["Y", "N"], required=False, allow_null=True)  # noqa: N815
    declIgst = Money(required=False, allow_null=True)  # noqa: N815
    declCgst = Money(required=False, allow_null=True)  # noqa: N815
    declSgst = Money(required=False, allow_null=True)  # noqa: N815
    declCess = Money(required=False, allow_null=True)  # noqa: N815
    remarks = serializers.CharField(required=False, allow_null=True, help_text="docRejdata only.")


class SupplierLinesSerializer(serializers.Serializer):
    ctin = serializers.CharField()
    trdnm = serializers.CharField()
    supprd = serializers.CharField()
    supfildt = serializers.CharField(allow_null=True)
    inv = Gstr2bLineSerializer(many=True, required=False)
    nt = Gstr2bLineSerializer(many=True, required=False)


DocDataSerializer = type(
    "DocDataSerializer",
    (serializers.Serializer,),
    {s: SupplierLinesSerializer(many=True) for s in DOC_SECTIONS},
)


class Gstr2bDataSerializer(serializers.Serializer):
    gstin = serializers.CharField()
    rtnprd = serializers.CharField()
    version = serializers.IntegerField()
    gendt = serializers.DateTimeField()
    status = serializers.ChoiceField(["draft", "final"])
    stale = serializers.BooleanField()
    itcsumm = ItcSummarySerializer()
    docdata = DocDataSerializer()
    docRejdata = DocDataSerializer()  # noqa: N815 (GSTN's name)


class Gstr2bSerializer(serializers.Serializer):
    data = Gstr2bDataSerializer()


class Gstr2bVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    generated_at = serializers.DateTimeField()
    trigger = serializers.ChoiceField(["schedule", "admin", "recompute", "3b_filed"])
    by = serializers.CharField()


class LiabilitySerializer(serializers.Serializer):
    pass


class InterUnregisteredSerializer(serializers.Serializer):
    pos = serializers.CharField(help_text="Place of supply, state code.")
    txval = Money()
    igst = Money()


for _key in ("3_1_a", "3_1_b", "3_1_c", "3_1_d", "3_1_e", "3_1_1_i", "addback"):
    LiabilitySerializer._declared_fields[_key] = TotalSerializer()
LiabilitySerializer._declared_fields["3_2"] = InterUnregisteredSerializer(many=True)


class ItcTablesSerializer(serializers.Serializer):
    pass


for _key in ("4A1", "4A3", "4A5", "4B2", "4D2", "net"):
    ItcTablesSerializer._declared_fields[_key] = TotalSerializer()


class Gstr3bTablesSerializer(serializers.Serializer):
    liability = LiabilitySerializer()
    itc = ItcTablesSerializer()


class Gstr3bSerializer(serializers.Serializer):
    period = serializers.CharField()
    status = serializers.ChoiceField(["draft", "filed"])
    filed_at = serializers.DateTimeField(allow_null=True)
    blocked_by = serializers.ListField(child=serializers.CharField(), help_text="R-6.3 codes, in order.")
    gstr2b_version = serializers.IntegerField(allow_null=True)
    tables = Gstr3bTablesSerializer()


class AddBackSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    record_id = serializers.IntegerField()
    ctin = serializers.CharField()
    section = serializers.CharField()
    inum = serializers.CharField(required=False)
    nt_num = serializers.CharField(required=False)
    txval = Money()
    igst = Money()
    cgst = Money()
    sgst = Money()
    cess = Money()
    rejected_in_period = serializers.CharField()
    added_in_period = serializers.CharField()
    reversal = serializers.BooleanField()
    negates = serializers.IntegerField(allow_null=True)
