"""The report as PDF: the printable HTML laid out by WeasyPrint (Pango, the system's fonts), offline.

The HTML carries its stylesheet inline and links nothing it needs; the fetcher refuses every URL but inline
`data:` ones, so no address written in a note (an image, a stylesheet) ever makes the server fetch it."""

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetchingError


class OfflineFetcher(URLFetcher):
    """Fetches nothing from any network or file: only `data:` URLs are read. `refused` lists what was asked."""

    def __init__(self):
        super().__init__(allowed_protocols={"data"}, allow_redirects=False)
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if not url.startswith("data:"):
            self.refused.append(url)
            raise URLFetchingError(f"refused: the report fetches nothing ({url[:60]})")
        return super().fetch(url, headers)


def render_pdf(html: str, *, fetcher: OfflineFetcher | None = None) -> bytes:
    return HTML(string=html, base_url="about:blank", url_fetcher=fetcher or OfflineFetcher()).write_pdf()
