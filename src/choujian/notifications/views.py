from django.contrib import messages as django_messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from choujian.core.access import login
from choujian.notifications import kinds, selectors, services
from choujian.notifications.delivery import channels_configured


@login
@require_http_methods(["GET", "HEAD"])
def inbox(request):
    messages = selectors.inbox(request.user)[:200]
    context = {"inbox_messages": messages, "channels": channels_configured()}
    return render(request, "notifications/inbox.html", context)


@login
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request):
    """Which kinds of message also come by email (the inbox keeps them all; legal notices cannot be turned off)."""
    if request.method == "POST":
        chosen = set(request.POST.getlist("email"))
        for kind in kinds.KINDS:
            if kinds.switchable(kind):
                services.preference_set(actor=request.user, kind=kind, email=kind in chosen)
        django_messages.success(request, _("通知设置已保存"))
        return redirect("notifications:preferences")
    emails = selectors.email_preferences(request.user)
    rows = [
        {"kind": kind, "label": label, "legal": not kinds.switchable(kind), "email": emails.get(kind, True)}
        for kind, label in kinds.KINDS.items()
    ]
    return render(request, "notifications/preferences.html", {"rows": rows, "channels": channels_configured()})


@login
@require_POST
def message_open(request, public_id):
    message = selectors.message_for(request.user, public_id)
    if message is None:
        raise Http404("没有这条消息")
    services.message_mark_read(actor=request.user, message=message)
    link = message.link if message.link.startswith("/") and not message.link.startswith("//") else ""
    return redirect(link or "notifications:inbox")
