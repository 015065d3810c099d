"""Ledger pages for auditors and regulators."""

from django.shortcuts import render

from choujian.accounts.choices import Role
from choujian.core.access import roles
from choujian.ledger import selectors


@roles(Role.REGULATOR_ROLES)
def home(request):
    ref = (request.GET.get("object") or "").strip()
    context = {
        "checkpoint": selectors.latest_checkpoint(),
        "size": selectors.current_size(),
        "object": ref,
        "history": selectors.object_history(ref) if ref else [],
    }
    return render(request, "ledger/home.html", context)
