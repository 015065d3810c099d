from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from choujian.core.access import login
from choujian.notifications import selectors, services


@login
@require_http_methods(["GET", "HEAD"])
def inbox(request):
    messages = selectors.inbox(request.user)[:200]
    return render(request, "notifications/inbox.html", {"inbox_messages": messages})


@login
@require_POST
def message_open(request, public_id):
    message = selectors.message_for(request.user, public_id)
    if message is None:
        raise Http404("没有这条消息")
    services.message_mark_read(actor=request.user, message=message)
    link = message.link if message.link.startswith("/") and not message.link.startswith("//") else ""
    return redirect(link or "notifications:inbox")
