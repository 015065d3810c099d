"""Language choice: Simplified Chinese unless the user picked another language on the site.

Django's LocaleMiddleware would follow the browser's Accept-Language, so an officer whose browser is set
to English would get a half-translated page by default; the platform's language is Chinese.
"""

from django.conf import settings
from django.utils import translation


class ChosenLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        # For this request only: the next one (or code after it in the same thread) starts from the default again.
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
