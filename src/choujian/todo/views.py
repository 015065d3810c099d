"""The page a person lands on: what is waiting for them, then the records they may look through."""

from django.shortcuts import render

from choujian.core.access import public
from choujian.disclosure.views import portal
from choujian.todo.selectors import records_summary, todo_for


@public
def home(request):
    """The public portal for visitors; a signed-in person's to-do page."""
    if not request.user.is_authenticated:
        return portal(request)
    lines = todo_for(request.user)
    context = {"lines": lines, "overdue": sum(line.overdue for line in lines), "summary": records_summary(request.user)}
    return render(request, "todo/home.html", context)
