"""The report in a real browser (Debian's chromium via Playwright): figures render, no console
error, no network request; a screenshot is kept under test-output/."""

from __future__ import annotations

import pytest


@pytest.mark.browser
@pytest.mark.parametrize("report", ["report_path", "one_arm_report_path"])
def test_report_renders_offline_in_chromium(chromium, report, output_dir, request):
    report_path = request.getfixturevalue(report)
    from playwright.sync_api import sync_playwright

    errors, requests = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(**chromium)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 1000})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: None if r.url.startswith(("file:", "data:", "blob:")) else requests.append(r.url))
            page.goto(report_path.as_uri(), wait_until="load")
            page.wait_for_function("document.querySelectorAll('.plotly-graph-div .main-svg').length >= 4",
                                   timeout=30000)
            divs = page.evaluate("Array.from(document.querySelectorAll('.plotly-graph-div'))"
                                 ".map(d => [d.id, d.querySelector('svg') !== null])")
            page.screenshot(path=str(output_dir / f"{report_path.stem}.png"), full_page=True)
        finally:
            browser.close()
    assert len(divs) == 4
    assert all(has_svg for _, has_svg in divs), divs
    assert errors == []
    assert requests == []
    assert (output_dir / f"{report_path.stem}.png").stat().st_size > 10_000
