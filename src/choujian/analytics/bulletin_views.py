"""Quarterly bulletins: drafted from the frozen figures, edited, approved by another officer; the approved PDF is
public. Thin: `analytics.bulletins` decides."""

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from choujian.accounts.choices import Role
from choujian.analytics import bulletins
from choujian.analytics.bulletin_pdf import bulletin_pdf
from choujian.analytics.models import Bulletin
from choujian.analytics.policy import DRAFT, PUBLISH
from choujian.analytics.selectors import bulletins_visible_to
from choujian.core.access import public, roles
from choujian.core.feedback import act
from choujian.core.policy import permits


def _found(request, code: str) -> Bulletin:
    found = bulletins_visible_to(request.user).filter(code=code).first()
    if found is None:
        raise Http404(_("通报不存在或尚未公开"))
    return found


def _number(raw) -> int | None:
    return int(raw) if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) < 6 else None


@roles(Role.REGULATOR_ROLES)
def bulletin_list(request):
    if request.method == "POST":
        year, quarter = _number(request.POST.get("year")), _number(request.POST.get("quarter"))
        made = act(request, lambda: bulletins.bulletin_draft(actor=request.user, year=year or 0, quarter=quarter or 0),
                    _("通报草稿已生成：请修改正文后交另一人审核公开"))  # fmt: skip
        return redirect("analytics:bulletin", code=made.code) if made else redirect("analytics:bulletins")
    today = timezone.localdate()
    last = (today.year, (today.month - 1) // 3) if today.month > 3 else (today.year - 1, 4)
    context = {"bulletins": bulletins_visible_to(request.user)[:100], "year": last[0], "quarter": last[1],
               "may_draft": bool(request.user.roles & Role.REGULATOR_WRITERS)}  # fmt: skip
    return render(request, "analytics/bulletins.html", context)


@roles(Role.REGULATOR_ROLES)
@require_safe
def bulletin_detail(request, code: str):
    found = _found(request, code)
    user = request.user
    context = {
        "bulletin": found, "f": found.figures,
        "may_edit": not found.is_published and permits(user, DRAFT, found),
        "may_publish": not found.is_published and permits(user, PUBLISH, found)
        and found.drafted_by_id != user.pk,
    }  # fmt: skip
    return render(request, "analytics/bulletin.html", context)


@roles(Role.REGULATOR_ROLES)
@require_POST
def bulletin_action(request, code: str, action: str):
    found = _found(request, code)
    version = _number(request.POST.get("version"))
    if action == "edit":
        narrative = request.POST.get("narrative", "")
        update = lambda: bulletins.bulletin_update(  # noqa: E731
            actor=request.user, bulletin=found, version=version, narrative=narrative
        )
        act(request, update, _("已保存"))
    else:
        act(request, lambda: bulletins.bulletin_publish(actor=request.user, bulletin=found, version=version),
             _("通报已审核公开"))  # fmt: skip
    return redirect("analytics:bulletin", code=code)


@public
@require_safe
def bulletin_pdf_view(request, code: str):
    """The approved PDF as stored (anyone); a draft's preview for the officers who may see it."""
    found = _found(request, code)
    name = f"{found.code}.pdf"
    if found.is_published and found.pdf:
        try:
            return FileResponse(found.pdf.open("rb"), content_type="application/pdf", filename=name)
        except OSError:
            raise Http404(_("通报文件暂不可用，请稍后再试")) from None
    response = HttpResponse(bulletin_pdf(found), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, name)
    return response
