"""The application's files (views/static.py): sent once, then revalidated by their ETag;
plotly.js gzip-compressed; nothing outside the static folder."""

from __future__ import annotations

import gzip

import pytest

from khetrial.edc.web.views.static import PLOTLY_JS, STATIC_ROOT


@pytest.mark.parametrize("url, path", [("/static/style.css", STATIC_ROOT / "style.css"),
                                       ("/vendor/plotly.min.js", PLOTLY_JS)])
def test_a_file_is_sent_then_revalidated_by_its_etag(db, client, url, path):
    first = client.get(url)
    assert first.status_code == 200 and first.content == path.read_bytes()
    assert first["Cache-Control"] == "no-cache" and first["ETag"].startswith('"')
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and not again.content
    assert client.get(url, HTTP_IF_NONE_MATCH='"stale"').status_code == 200


def test_plotly_travels_gzip_compressed_to_a_browser_that_accepts_it(db, client):
    packed = client.get("/vendor/plotly.min.js", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert packed["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed["Vary"]
    assert "javascript" in packed["Content-Type"]
    assert gzip.decompress(packed.content) == PLOTLY_JS.read_bytes()
    assert len(packed.content) < PLOTLY_JS.stat().st_size / 2


@pytest.mark.parametrize("url", ["/static/no-such.css", "/static/../views/static.py",
                                 "/static/%2e%2e/settings.py", "/static/"])
def test_nothing_else_is_served(db, client, url):
    assert client.get(url).status_code == 404
