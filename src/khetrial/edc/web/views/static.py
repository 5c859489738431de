"""Static files (CSS, JS, the offline plotly bundle), served without login."""

from __future__ import annotations

from pathlib import Path

import plotly
from django.http import FileResponse, Http404
from django.views.static import serve

from khetrial.edc.web.permissions import public

STATIC_ROOT = Path(__file__).resolve().parent.parent / "static"


@public
def static_file(request, path):
    return serve(request, path, document_root=str(STATIC_ROOT))


@public
def plotly_js(request):
    """plotly.js from the plotly package (offline: no CDN)."""

    js = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not js.exists():
        raise Http404("plotly.min.js is not installed")
    return FileResponse(open(js, "rb"), content_type="application/javascript")
