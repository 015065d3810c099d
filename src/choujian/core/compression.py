"""Compression of the platform's own responses (pages, JSON, CSV, scripts) when the browser accepts it."""

from django.middleware.gzip import GZipMiddleware

# Photos, videos, PDFs and spreadsheets are compressed already: gzipping them again costs CPU and saves nothing.
COMPRESSIBLE = {
    "text/html",
    "text/plain",
    "text/csv",
    "text/css",
    "text/javascript",
    "application/javascript",
    "application/json",
    "application/vnd.oai.openapi+json",
    "application/atom+xml",
    "application/xml",
    "image/svg+xml",
}


class TextGZipMiddleware(GZipMiddleware):
    """Django's GZip (with its length-hiding padding against BREACH), for text only."""

    def process_response(self, request, response):
        kind = response.get("Content-Type", "").split(";", 1)[0].strip().lower()
        if kind not in COMPRESSIBLE:
            return response
        return super().process_response(request, response)
