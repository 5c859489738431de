"""Static files (CSS, JS, the offline plotly bundle), served without login.

A few files of the application itself: each is read once per server process and kept in
memory with its gzip form and a content hash. A response carries the hash as its ETag with
``Cache-Control: no-cache``: a browser asks again on each page and gets a 304 without a body
while the file is unchanged (an upgrade changes the hash), and plotly.js (4.8 MB) travels
gzip-compressed (1.4 MB) the first time.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

import plotly
from django.core.exceptions import SuspiciousFileOperation
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.utils._os import safe_join
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags

from khetrial.edc.web.permissions import public

STATIC_ROOT = Path(__file__).resolve().parent.parent / "static"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
GZIP_MIN_BYTES = 1024  # smaller files are sent as they are (project choice)
CACHE_CONTROL = "no-cache"  # kept by the browser, revalidated by its ETag on each use


@dataclass(frozen=True)
class StaticFile:
    body: bytes
    gzipped: bytes | None
    etag: str
    content_type: str


_files: dict[Path, StaticFile] = {}


def _load(path: Path) -> StaticFile:
    cached = _files.get(path)
    if cached is None:
        body = path.read_bytes()
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type.endswith("javascript"):
            content_type += "; charset=utf-8"
        gzipped = (gzip.compress(body, mtime=0) if len(body) >= GZIP_MIN_BYTES
                   and content_type.startswith(("text/", "application/javascript")) else None)
        cached = StaticFile(body, gzipped, f'"{hashlib.sha256(body).hexdigest()[:32]}"', content_type)
        _files[path] = cached
    return cached


def _respond(request, path: Path):
    if not path.is_file():
        raise Http404("no such file")
    f = _load(path)
    if f.etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponseNotModified()
    elif f.gzipped is not None and "gzip" in request.headers.get("Accept-Encoding", ""):
        response = HttpResponse(f.gzipped, content_type=f.content_type)
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(f.body, content_type=f.content_type)
    response["ETag"] = f.etag
    response["Cache-Control"] = CACHE_CONTROL
    if f.gzipped is not None:
        patch_vary_headers(response, ("Accept-Encoding",))
    return response


@public
def static_file(request, path):
    try:
        full = Path(safe_join(str(STATIC_ROOT), path))
    except SuspiciousFileOperation as exc:  # "../settings.py": outside the folder
        raise Http404("no such file") from exc
    return _respond(request, full)


@public
def plotly_js(request):
    """plotly.js from the plotly package (offline: no CDN)."""
    if not PLOTLY_JS.exists():
        raise Http404("plotly.min.js is not installed")
    return _respond(request, PLOTLY_JS)
