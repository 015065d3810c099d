"""Request hygiene that every view relies on."""

from django.http import JsonResponse


class RejectNulMiddleware:
    """A NUL character in the path or query string is never meaningful input, and PostgreSQL cannot compare text
    with it (psycopg raises DataError): answer 400 naming the parameter instead of letting it reach a query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            return JsonResponse({"detail": "请求路径不能包含空字符（NUL）"}, status=400)
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                return JsonResponse({name.replace("\x00", "\\0"): ["参数不能包含空字符（NUL）"]}, status=400)
        return self.get_response(request)
