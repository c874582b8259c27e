"""The GSTR-1 JSON of API.md (GSTN's keys), described for the OpenAPI schema. Validation is the one
validator of ``invoices.domain.gstr1`` (every problem with its path and code): these serializers only
document the shapes."""

from rest_framework import serializers

from core.schema import Money


def _opt(field):
    field.required = False
    return field


class ItemDetailSerializer(serializers.Serializer):
    rt = serializers.DecimalField(
        max_digits=5, decimal_places=2, coerce_to_string=False, help_text="Rate % (R-3.6)."
    )
    txval = Money()
    iamt = _opt(Money(help_text="IGST; missing means 0."))
    camt = _opt(Money(help_text="CGST; missing means 0."))
    samt = _opt(Money(help_text="SGST/UTGST; missing means 0."))
    csamt = _opt(Money(help_text="Cess; missing means 0."))


class ItemSerializer(serializers.Serializer):
    num = serializers.IntegerField(min_value=1)
    itm_det = ItemDetailSerializer()


class InvoiceSerializer(serializers.Serializer):
    inum = serializers.CharField(max_length=16)
    idt = serializers.CharField(help_text="`DD-MM-YYYY`")
    val = Money()
    pos = serializers.CharField(help_text="Place of supply, 2 digits.")
    rchrg = _opt(serializers.ChoiceField(["Y", "N"]))
    inv_typ = _opt(serializers.ChoiceField(["R", "SEWP", "SEWOP", "DE", "CBW"]))
    diff_percent = _opt(serializers.DecimalField(max_digits=3, decimal_places=2, coerce_to_string=False))
    itms = ItemSerializer(many=True)


class AmendedInvoiceSerializer(InvoiceSerializer):
    oinum = serializers.CharField(max_length=16)
    oidt = serializers.CharField()


class NoteSerializer(serializers.Serializer):
    ntty = serializers.ChoiceField(["C", "D"])
    nt_num = serializers.CharField(max_length=16)
    nt_dt = serializers.CharField()
    val = Money()
    pos = serializers.CharField()
    rchrg = _opt(serializers.ChoiceField(["Y", "N"]))
    inv_typ = _opt(serializers.ChoiceField(["R", "SEWP", "SEWOP", "DE", "CBW"]))
    diff_percent = _opt(serializers.DecimalField(max_digits=3, decimal_places=2, coerce_to_string=False))
    itms = ItemSerializer(many=True)


class AmendedNoteSerializer(NoteSerializer):
    ont_num = serializers.CharField(max_length=16)
    ont_dt = serializers.CharField()


class EcoInvoiceSerializer(serializers.Serializer):
    inum = serializers.CharField(max_length=16)
    idt = serializers.CharField()
    val = Money()
    pos = serializers.CharField()
    sply_ty = serializers.ChoiceField(["INTRA", "INTER"])
    inv_typ = _opt(serializers.ChoiceField(["R", "SEWP", "SEWOP", "DE", "CBW"]))
    itms = ItemSerializer(many=True)


class AmendedEcoInvoiceSerializer(EcoInvoiceSerializer):
    oinum = serializers.CharField(max_length=16)
    oidt = serializers.CharField()


def _party(name: str, key: str, doc, **fields):
    return type(name, (serializers.Serializer,), {**fields, key: doc(many=True)})


B2bParty = _party("B2bPartySerializer", "inv", InvoiceSerializer, ctin=serializers.CharField())
B2baParty = _party("B2baPartySerializer", "inv", AmendedInvoiceSerializer, ctin=serializers.CharField())
CdnrParty = _party("CdnrPartySerializer", "nt", NoteSerializer, ctin=serializers.CharField())
CdnraParty = _party("CdnraPartySerializer", "nt", AmendedNoteSerializer, ctin=serializers.CharField())
EcoParty = _party(
    "EcoPartySerializer",
    "inv",
    EcoInvoiceSerializer,
    stin=serializers.CharField(),
    rtin=serializers.CharField(),
)
EcoaParty = _party(
    "EcoaPartySerializer",
    "inv",
    AmendedEcoInvoiceSerializer,
    stin=serializers.CharField(),
    rtin=serializers.CharField(),
)


class EcomSerializer(serializers.Serializer):
    b2b = EcoParty(many=True)


class EcomaSerializer(serializers.Serializer):
    b2ba = EcoaParty(many=True)


class Gstr1Serializer(serializers.Serializer):
    """GSTR-1 JSON: any subset of the sections (R-3.11, R-3.13); `gstin` and `fp` must match the path."""

    gstin = _opt(serializers.CharField())
    fp = _opt(serializers.CharField(help_text="`MMYYYY`"))
    b2b = _opt(B2bParty(many=True))
    b2ba = _opt(B2baParty(many=True))
    cdnr = _opt(CdnrParty(many=True))
    cdnra = _opt(CdnraParty(many=True))
    ecom = _opt(EcomSerializer(help_text="Filed by an e-commerce operator (R-3.14)."))
    ecoma = _opt(EcomaSerializer())


class SaveResultSerializer(serializers.Serializer):
    form = serializers.ChoiceField(["GSTR1", "IFF", "GSTR1A"])
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class Totals(serializers.Serializer):
    txval = Money()
    iamt = Money()
    camt = Money()
    samt = Money()
    csamt = Money()


class FormStatusSerializer(serializers.Serializer):
    form = serializers.ChoiceField(["GSTR1", "IFF", "GSTR1A"])
    status = serializers.ChoiceField(["open", "filed", "closed"])
    filed_at = serializers.DateTimeField(allow_null=True)
    documents = serializers.IntegerField()


class TableFigureSerializer(Totals):
    section = serializers.CharField(
        help_text="The GSTR-1 section (`b2b`, `b2cs`, …, `rcm` for reverse charge)."
    )
    label = serializers.CharField()
    count = serializers.IntegerField(help_text="Documents or rows.")


class NilFiguresSerializer(serializers.Serializer):
    nil_amt = Money()
    expt_amt = Money()
    ngsup_amt = Money()


class Gstr1SummarySerializer(serializers.Serializer):
    period = serializers.CharField()
    forms = FormStatusSerializer(many=True)
    tables = TableFigureSerializer(
        many=True,
        help_text="Each table's effect: credit notes and adjusted advances reduce, amendments by difference.",
    )
    nil = NilFiguresSerializer()
    totals = Totals(help_text="The period's liability as GSTR-3B counts it (reverse charge excluded).")
