"""Pages of the supplier and the recipient's IMS, over the same services and selectors as the API."""

from django.shortcuts import render

from ims_portal.pages import gstin_page


@gstin_page()
def ims_inward(request, taxpayer):
    return render(request, "placeholder.html", {"nav": "inward", "title": "IMS Inward"})


@gstin_page()
def ims_outward(request, taxpayer):
    return render(request, "placeholder.html", {"nav": "outward", "title": "IMS Outward"})


@gstin_page()
def gstr1_home(request, taxpayer):
    return render(request, "placeholder.html", {"nav": "gstr1", "title": "GSTR-1 / IFF / GSTR-1A"})
