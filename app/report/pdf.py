"""The report as PDF: the printable HTML laid out by WeasyPrint (Pango, the system's fonts), offline.

The stylesheet is handed over as text and the HTML links nothing it needs; the fetcher refuses every URL but
inline `data:` ones, so no address written in a note (an image, a stylesheet) ever makes the server fetch it."""

from pathlib import Path

from weasyprint import CSS, HTML
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


#: The report's stylesheet, the one its page links (app/static/report.css).
STYLESHEET = Path(__file__).resolve().parent.parent / "static" / "report.css"


def render_pdf(html: str, *, fetcher: OfflineFetcher | None = None) -> bytes:
    fetcher = fetcher or OfflineFetcher()
    stylesheet = CSS(string=STYLESHEET.read_text(encoding="utf-8"), url_fetcher=fetcher)
    return HTML(string=html, base_url="about:blank", url_fetcher=fetcher).write_pdf(stylesheets=[stylesheet])
