"""Pages of purchase-register reconciliation (issue 16, items 1, 4 and 5): import with a column-mapping step,
the reconciliation of a period (counts, filters, side-by-side rows, pairing by hand, proposals, apply), the
Excel export, the follow-up letters to suppliers, and the GSTIN's rules."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models.functions import Substr
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core import clock
from core.api import keyset, xlsx_response
from core.errors import DomainError, NotFound, RuleViolation, ValidationFailed
from core.money import indian_grouping
from core.pages import rule_message
from core.periods import business_date, parse_period, period_add, period_code, period_of, typed_period
from core.templatetags.portal import period_label
from ims.models import Action, ImsRecord
from ims.selectors import record_names
from jobs.models import JobStatus
from jobs.services import job_visible
from recon import domain
from recon.models import Category, How, Match, Register
from recon.selectors import attach, current_register, differences, followup, registers_of, rows, summary
from recon.services import export, registers, review
from recon.services.apply import ACTIONABLE, apply_start, propose
from recon.services.match import match_start, settings_for
from taxpayers.access import Perm
from taxpayers.pages import can, gstin_page
from taxpayers.selectors import Calendar

PAGE = 50
SPARE_MAX = 500  # records offered for pairing by hand on one page
JOB_KINDS = ("recon_import", "recon_apply", "recon_match", "recon_export")
CATEGORY_HELP = {
    Category.MATCHED: "Same GSTIN, number, type and date; amounts within the tolerance.",
    Category.MISMATCH: "Same GSTIN and number, but the type, date or an amount differs.",
    Category.SUGGESTED: (
        "Probably the same document: the number once normalised, or another GSTIN of the same PAN."
    ),
    Category.BOOKS_ONLY: "In your books; the supplier has not reported it.",
    Category.IMS_ONLY: "Reported by the supplier for this period; not in your books.",
    Category.DUPLICATE: "Booked twice: the same supplier, type and number as an earlier line.",
}
FIELD_WORDS = {k: v[:1].upper() + v[1:] for k, v in domain.DIFF_FIELDS.items()}


def _period(request, taxpayer) -> int:
    raw = typed_period(request.GET.get("period") or request.POST.get("period") or "")
    if raw:
        try:
            return parse_period(raw)
        except DomainError:
            pass
    latest = Register.objects.filter(taxpayer=taxpayer, current=True).order_by("-period").first()
    return latest.period if latest else period_add(period_of(business_date(clock.now())), -1)


def _choices(period: int) -> list[tuple[str, str]]:
    now = period_of(business_date(clock.now()))
    periods = sorted({period_add(now, -i) for i in range(0, 13)} | {period}, reverse=True)
    return [(period_code(p), period_label(p)) for p in periods]


def _period_ctx(period: int) -> dict:
    """What every reconciliation page says about its period."""
    return {
        "nav": "recon",
        "period": period,
        "period_code": period_code(period),
        "period_words": period_label(period),
    }


def _back(request, taxpayer, period: int) -> str:
    keep = {k: v for k in ("category", "q", "supplier") if (v := request.POST.get(k) or request.GET.get(k))}
    return f"{reverse('recon', args=[taxpayer.gstin])}?{urlencode({'period': period_code(period), **keep})}"


@gstin_page()
def recon(request, taxpayer):
    """A period's reconciliation: tiles per category, the rules, the rows side by side."""
    period = _period(request, taxpayer)
    reg = current_register(taxpayer.id, period)
    st = settings_for(taxpayer.id)
    ctx = {
        **_period_ctx(period),
        "choices": _choices(period),
        "register": reg,
        "versions": registers_of(taxpayer.id, period),
        "settings": st,
        "actions": {"": "No proposal", "A": "Accept", "R": "Reject", "P": "Pending"},
        "can_write": can(request, Perm.WRITE),
        "layouts": domain.LAYOUTS,
    }
    if reg is None:
        return render(request, "recon/home.html", ctx)
    category = request.GET.get("category") or ""
    if category not in Category.values:
        category = ""
    q, supplier = (request.GET.get("q") or "").strip(), (request.GET.get("supplier") or "").strip()
    try:
        after = int(request.GET.get("after") or 0) or None
    except ValueError:
        after = None
    page, nxt = keyset(rows(reg, category=category, q=q, supplier=supplier), PAGE, after)
    attach(reg, page)
    cal, today = Calendar(taxpayer), business_date(clock.now())
    s = summary(reg)
    # Records a line missing in IMS may be paired with by hand: the period's records missing in books of the
    # same PAN as a line on this page (one query, at most SPARE_MAX offered).
    pans = {m.line.pan for m in page if m.category == Category.BOOKS_ONLY}
    spare = {}
    if pans:
        ids = rows(reg, category=Category.IMS_ONLY).values("record_id")
        offered = (
            ImsRecord.objects.filter(recipient_id=taxpayer.id, id__in=ids)
            .annotate(pan=Substr("stin", 3, 10))
            .filter(pan__in=pans)
            .order_by("stin", "number")[:SPARE_MAX]
        )
        for rec in offered:
            spare.setdefault(rec.pan, []).append(rec)
    out = []
    for m in page:
        prop = propose(m, register=reg, st=st, cal=cal, today=today)
        out.append(
            {
                "m": m,
                "category": Category(m.category).label,
                "how": How(m.how).label if m.how else "",
                "differs": set(filter(None, m.fields.split(","))),
                "fields": [d | {"words": FIELD_WORDS[d["field"]]} for d in differences(m)],
                "proposal": prop,
                "proposal_words": Action(prop.action).label if prop.action else "",
                "spare": _nearest(m.line, spare.get(m.line.pan, []))
                if m.line and m.category == Category.BOOKS_ONLY
                else [],
            }
        )
    query = {"period": period_code(period), "category": category, "q": q, "supplier": supplier}
    ctx.update(
        {
            "summary": s,
            "tiles": [
                {
                    "key": c.value,
                    "label": c.label,
                    "count": indian_grouping(str(s.counts[c.value])),
                    "help": CATEGORY_HELP[c],
                }
                for c in Category
            ],
            "rows": out,
            "category": category,
            "q": q,
            "supplier": supplier,
            "next_url": f"?{urlencode({**{k: v for k, v in query.items() if v}, 'after': page[-1].id})}"
            if nxt
            else "",
            "actionable": sum(s.counts[c] for c in ACTIONABLE),
        }
    )
    return render(request, "recon/home.html", ctx)


def _nearest(line, records: list) -> list:
    """Records offered for a line, the likeliest first: nearest taxable value, then nearest date."""
    return sorted(
        records, key=lambda r: (abs(r.txval - line.txval), abs((r.doc_date - line.doc_date).days), r.id)
    )


@require_POST
@gstin_page(Perm.WRITE)
def recon_import(request, taxpayer):
    """Store the uploaded register; when its columns are all known start the import, else ask for them."""
    period = _period(request, taxpayer)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "Choose the register file (CSV or Excel) to import.")
        return redirect(_back(request, taxpayer, period))
    try:
        token, source = registers.upload_store(upload, owner_id=taxpayer.id)
        pv = registers.preview(token, source)
    except RuleViolation as exc:
        messages.error(request, f"The register was not accepted: {rule_message(exc)}")
        return redirect(_back(request, taxpayer, period))
    if not domain.missing_fields(pv["mapping"]) and request.POST.get("review") != "1":
        job = registers.import_start(
            taxpayer=taxpayer,
            period=period,
            token=token,
            source=source,
            filename=upload.name,
            mapping=pv["mapping"],
            header_row=pv["header_row"],
            user=request.user,
            by=request.user.username,
        )
        return redirect("recon_job", taxpayer.gstin, job.id)
    return _mapping_page(request, taxpayer, period, token, source, upload.name, pv, pv["mapping"])


def _mapping_page(request, taxpayer, period, token, source, filename, pv, mapping, status=200):
    fields = [
        {"key": f, "words": w, "required": f in domain.REQUIRED, "col": mapping.get(f)}
        for f, w in domain.FIELDS.items()
    ]
    return render(
        request,
        "recon/mapping.html",
        {
            **_period_ctx(period),
            "token": token,
            "source": source,
            "filename": filename,
            "headers": list(enumerate(pv["headers"])),
            "sample": pv["sample"],
            "header_row": pv["header_row"],
            "fields": fields,
        },
        status=status,
    )


@require_POST
@gstin_page(Perm.WRITE)
def recon_map(request, taxpayer):
    """The mapping step's answer: each field's column; then the import job."""
    period = _period(request, taxpayer)
    token, source = request.POST.get("token", ""), request.POST.get("source", "")
    filename = request.POST.get("filename", "")[:200]
    try:
        if not registers.token_of(taxpayer.id, token):
            raise registers.gone()
        pv = registers.preview(token, source)
        mapping = registers.mapping_check(
            {f: request.POST.get(f"col_{f}", "") for f in domain.FIELDS}, pv["headers"]
        )
    except ValidationFailed as exc:
        for d in exc.details:
            field = d["path"].removeprefix("mapping.")
            messages.error(request, f"{domain.FIELDS.get(field, field)}: {d['message']}")
        chosen = {f: int(v) for f in domain.FIELDS if (v := request.POST.get(f"col_{f}", "")).isdigit()}
        return _mapping_page(request, taxpayer, period, token, source, filename, pv, chosen, status=400)
    except RuleViolation as exc:
        messages.error(request, f"The register was not accepted: {rule_message(exc)}")
        return redirect(_back(request, taxpayer, period))
    job = registers.import_start(
        taxpayer=taxpayer,
        period=period,
        token=token,
        source=source,
        filename=filename,
        mapping=mapping,
        header_row=pv["header_row"],
        user=request.user,
        by=request.user.username,
    )
    return redirect("recon_job", taxpayer.gstin, job.id)


@gstin_page()
def recon_job(request, taxpayer, job_id: int):
    """A reconciliation job of this GSTIN: the page, or for htmx the fragment that polls until it ends."""
    try:
        job = job_visible(request.user, job_id)
    except NotFound:
        raise Http404("Not found")
    if job.kind not in JOB_KINDS or job.taxpayer_id != taxpayer.id:
        raise Http404("Not found")
    finished = job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)
    result = job.result if isinstance(job.result, dict) else {}
    refused = [e for e in result.get("errors", [])[:50] if isinstance(e, dict)]
    names = record_names(job, [e["id"] for e in refused if isinstance(e.get("id"), int)]) if refused else {}
    period = job.params.get("period")
    if period is None and job.params.get("register"):
        period = (
            Register.objects.filter(taxpayer_id=taxpayer.id, id=job.params["register"])
            .values_list("period", flat=True)
            .first()
        )
    ctx = {
        "nav": "recon",
        "job": job,
        "finished": finished,
        "result": result,
        "period_code": period_code(period) if period else "",
        "errors": (job.error or {}).get("details", [])[:200] if job.status == JobStatus.FAILED else [],
        "refused": [e | {"name": names.get(e.get("id"))} for e in refused],
        "counts": [
            (Category(k).label, indian_grouping(str(v)))
            for k, v in (result.get("counts") or {}).items()
            if k in Category.values
        ],
    }
    tpl = "recon/_job.html" if request.headers.get("HX-Request") == "true" else "recon/job.html"
    return render(request, tpl, ctx)


@require_POST
@gstin_page(Perm.WRITE)
def recon_row(request, taxpayer, match_id: int):
    """A row's buttons: edit the proposal, confirm a suggested pair, unpair, or pair a line with a record."""
    period = _period(request, taxpayer)
    reg = current_register(taxpayer.id, period)
    if reg is None:
        raise Http404("Not found")
    op = request.POST.get("op")
    try:
        if op == "edit":
            review.edit(
                reg,
                match_id=match_id,
                action=request.POST.get("action", ""),
                remarks=request.POST.get("remarks") or None,
            )
            messages.success(request, "Proposal changed.")
        elif op == "confirm":
            review.confirm(reg, match_id=match_id, by=request.user.username)
            messages.success(request, "Pair confirmed.")
        elif op == "unpair":
            review.unpair(reg, match_id=match_id, by=request.user.username)
            messages.success(
                request, "Pair separated: the line and the record are now missing on either side."
            )
        elif op == "pair":
            m = Match.objects.filter(taxpayer_id=taxpayer.id, register=reg, id=match_id).first()
            rid = request.POST.get("record", "")
            if m is None or m.line_id is None:
                raise NotFound("No such row in this reconciliation.")
            review.pair(
                reg,
                line_id=m.line_id,
                record_id=int(rid) if rid.isdigit() else None,
                by=request.user.username,
            )
            messages.success(request, "Paired by hand.")
        else:
            raise Http404("Not found")
    except NotFound:
        raise Http404("Not found")
    except RuleViolation as exc:
        messages.error(request, rule_message(exc))
    return redirect(_back(request, taxpayer, period))


@require_POST
@gstin_page(Perm.WRITE)
def recon_apply(request, taxpayer):
    period = _period(request, taxpayer)
    reg = current_register(taxpayer.id, period)
    if reg is None:
        raise Http404("Not found")
    cats = [c for c in request.POST.getlist("categories") if c in Category.values]
    try:
        job = apply_start(
            register=reg, categories=cats, user=request.user, role=taxpayer.role, by=request.user.username
        )
    except RuleViolation as exc:
        messages.error(request, rule_message(exc))
        return redirect(_back(request, taxpayer, period))
    return redirect("recon_job", taxpayer.gstin, job.id)


@require_POST
@gstin_page(Perm.WRITE)
def recon_match(request, taxpayer):
    period = _period(request, taxpayer)
    reg = current_register(taxpayer.id, period)
    if reg is None:
        raise Http404("Not found")
    job = match_start(reg, taxpayer, request.user)
    return redirect("recon_job", taxpayer.gstin, job.id)


@require_POST
@gstin_page(Perm.WRITE)
def recon_settings(request, taxpayer):
    period = _period(request, taxpayer)
    try:
        review.settings_save(taxpayer, request.POST)
        messages.success(
            request, "Rules saved. Tolerance and date window count from the next matching: match again."
        )
    except ValidationFailed as exc:
        for d in exc.details:
            messages.error(request, f"{d['path'].replace('_', ' ').capitalize()}: {d['message']}")
    return redirect(_back(request, taxpayer, period))


@gstin_page()
def recon_export(request, taxpayer):
    period = _period(request, taxpayer)
    reg = current_register(taxpayer.id, period)
    if reg is None:
        raise Http404("Not found")
    if job := export.export_job(reg, taxpayer, request.user):
        return redirect("recon_job", taxpayer.gstin, job.id)
    return xlsx_response(lambda fh: export.write(reg, fh), export.filename(reg, taxpayer.gstin))


@gstin_page()
def recon_followup(request, taxpayer):
    """Per supplier, the documents to take up with it and the letter; download it or email it."""
    period = _period(request, taxpayer)
    reg = current_register(taxpayer.id, period)
    if reg is None and request.method == "GET" and not request.GET.get("download"):
        return render(
            request,
            "recon/followup.html",
            {
                **_period_ctx(period),
                "entries": [],
                "no_register": True,
            },
        )
    if reg is None:
        raise Http404("Not found")
    name = taxpayer.display_name
    stin = (request.GET.get("stin") or request.POST.get("stin") or "").strip().upper()
    if request.method == "POST":
        if not can(request, Perm.WRITE):
            raise PermissionDenied("Your role does not allow this.")
        try:
            review.followup_email(
                reg, stin=stin, to=request.POST.get("to", ""), recipient_name=name, by=request.user.username
            )
            messages.success(request, f"Follow-up sent to {request.POST.get('to', '').strip()}.")
        except NotFound:
            raise Http404("Not found")
        except RuleViolation as exc:
            messages.error(request, rule_message(exc))
        return redirect(f"{reverse('recon_followup', args=[taxpayer.gstin])}?period={period_code(period)}")
    if stin and request.GET.get("download"):
        try:
            entry = review.followup_for(reg, stin)
        except NotFound:
            raise Http404("Not found")
        resp = HttpResponse(
            review.letter(reg, entry, recipient_name=name), content_type="text/plain; charset=utf-8"
        )
        resp["Content-Disposition"] = f'attachment; filename="follow-up-{stin}-{period_code(period)}.txt"'
        return resp
    entries = followup(reg)
    for e in entries:
        e["letter"] = review.letter(reg, e, recipient_name=name)
        e["count"] = len(e["rows"])
    return render(
        request,
        "recon/followup.html",
        {
            **_period_ctx(period),
            "entries": entries,
            "can_write": can(request, Perm.WRITE),
        },
    )
