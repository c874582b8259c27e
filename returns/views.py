"""Pages of GSTR-2B, GSTR-3B, jobs and the staff admin tools."""

from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from ims_portal.pages import gstin_page


@gstin_page()
def gstr2b_home(request, taxpayer):
    return render(request, "placeholder.html", {"nav": "gstr2b", "title": "GSTR-2B"})


@gstin_page()
def gstr3b_home(request, taxpayer):
    return render(request, "placeholder.html", {"nav": "gstr3b", "title": "GSTR-3B"})


@login_required
def jobs(request):
    return render(request, "placeholder.html", {"nav": "jobs", "title": "Jobs"})


@staff_member_required
def admin_tools(request):
    return render(request, "placeholder.html", {"nav": "admin", "title": "Admin"})
