"""Shapes of IMS replies for the OpenAPI schema: a record (GSTN's IMS names plus ours, API.md) and its
history. The replies themselves are built by ``ims.serializers``."""

from rest_framework import serializers

from core.schema import Money
from ims.domain import ACTIONS, IMS_SECTIONS


def _opt(field):
    field.allow_null = True
    field.required = False
    return field


class RecordSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    section = serializers.ChoiceField(IMS_SECTIONS)
    stin = serializers.CharField(help_text="The supplier (for ECO records the operator).")
    trdnm = serializers.CharField()
    sply_stin = _opt(serializers.CharField(help_text="ECO records: the actual supplier."))
    rtnprd = serializers.CharField(help_text="Supplier return period `MMYYYY`.")
    srcform = serializers.ChoiceField(
        ["R1", "IFF", "R1A", "BOE"], help_text="BOE: a bill of entry from customs."
    )
    srcfilstatus = serializers.ChoiceField(["Filed", "Not Filed"])
    inum = _opt(serializers.CharField())
    idt = _opt(serializers.CharField(help_text="`DD-MM-YYYY`"))
    oinum = _opt(serializers.CharField())
    oidt = _opt(serializers.CharField())
    nt_num = _opt(serializers.CharField())
    nt_dt = _opt(serializers.CharField())
    ont_num = _opt(serializers.CharField())
    ont_dt = _opt(serializers.CharField())
    typ = _opt(serializers.ChoiceField(["C", "D"], help_text="Notes: credit or debit."))
    portcode = _opt(serializers.CharField(help_text="Bills of entry (impg*, R-10): the customs port."))
    boenum = _opt(serializers.CharField())
    boedt = _opt(serializers.CharField())
    refdt = _opt(serializers.CharField(help_text="Reference date: its month is the BoE's 2B period."))
    recdt = _opt(serializers.CharField())
    isamd = _opt(serializers.ChoiceField(["Y", "N"]))
    inv_typ = serializers.CharField()
    pos = serializers.CharField()
    rchrg = serializers.ChoiceField(["Y", "N"])
    val = Money()
    txval = Money()
    iamt = Money()
    camt = Money()
    samt = Money()
    cess = Money()
    action = serializers.ChoiceField(ACTIONS)
    ispendactblocked = serializers.ChoiceField(["Y", "N"])
    pending_deadline = _opt(serializers.CharField(help_text="`DD-MM-YYYY`"))
    remarks = _opt(serializers.CharField())
    itcRedReq = _opt(serializers.ChoiceField(["Y", "N"]))  # noqa: N815 (GSTN's name)
    isItcRedReqBlocked = serializers.ChoiceField(["Y", "N"])  # noqa: N815
    declIgst = _opt(Money())  # noqa: N815
    declCgst = _opt(Money())  # noqa: N815
    declSgst = _opt(Money())  # noqa: N815
    declCess = _opt(Money())  # noqa: N815
    itc_period = serializers.CharField(help_text="GSTR-2B period `MMYYYY`.")
    left_ims = serializers.BooleanField()
    deemed_accepted = serializers.BooleanField()
    kept_out = serializers.BooleanField()
    rsn = _opt(serializers.ChoiceField(["P", "C"]))
    superseded = serializers.BooleanField()
    waiting_on_original = serializers.BooleanField()
    itc_reducing = serializers.BooleanField()
    hash = serializers.CharField()
    updated_at = serializers.DateTimeField()


class HistorySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    by = serializers.CharField(help_text="A username, or `system`.")
    channel = serializers.ChoiceField(["web", "api", "bulk", "upload", "job"])
    # "from" is a Python keyword: declared below.
    to = serializers.CharField(allow_null=True)
    remarks = serializers.CharField(allow_null=True)
    decl = serializers.DictField(allow_null=True)
    reason = serializers.CharField(allow_null=True)


HistorySerializer._declared_fields["from"] = serializers.CharField(allow_null=True)


class RecordDetailSerializer(RecordSerializer):
    history = HistorySerializer(many=True, help_text="Oldest first (R-4.9).")


class ActionCountsSerializer(serializers.Serializer):
    noaction = serializers.IntegerField()
    accept = serializers.IntegerField()
    reject = serializers.IntegerField()
    pending = serializers.IntegerField()


class SummarySerializer(serializers.Serializer):
    ttl_cnt = serializers.IntegerField()


for _section in IMS_SECTIONS:
    SummarySerializer._declared_fields[_section] = ActionCountsSerializer()


class RefusalSerializer(serializers.Serializer):
    id = serializers.JSONField(help_text="The record id as sent.")
    code = serializers.CharField()
    message = serializers.CharField()


class BatchResultSerializer(serializers.Serializer):
    processed = serializers.IntegerField(help_text="Applied actions, no-ops included.")
    errors = RefusalSerializer(many=True)
    proposed = serializers.IntegerField(
        required=False,
        help_text="Actions recorded as proposals for an owner (maker-checker on, the caller a preparer).",
    )


FILTERS = {
    "section": "IMS section (`b2b` … `ecoma`; `impg`, `impga`, `impgsez`, `impgseza` for bills of entry).",
    "action": "`N`, `A`, `R` or `P`.",
    "stin": "Supplier GSTIN.",
    "rtnprd": "Supplier return period `MMYYYY`.",
    "itc_period": "GSTR-2B period `MMYYYY`.",
    "q": "Case-insensitive prefix of the document (or bill of entry) number.",
    "goods_typ": "GSTN's tab: `ALL_OTH` (All other ITC) or `IMP_GDS` (Import of goods).",
    "portcode": "Bills of entry: the customs port code (`INNSA1`).",
    "dt": "Document (or bill of entry) date `DD-MM-YYYY`.",
}
