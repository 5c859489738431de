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
            page.wait_for_function("document.querySelectorAll('.plotly-graph-div .main-svg').length >= 6",
                                   timeout=30000)
            divs = page.evaluate("Array.from(document.querySelectorAll('.plotly-graph-div'))"
                                 ".map(d => [d.id, d.querySelector('svg') !== null])")
            page.screenshot(path=str(output_dir / f"{report_path.stem}.png"), full_page=True)
        finally:
            browser.close()
    assert len(divs) == 6
    assert all(has_svg for _, has_svg in divs), divs
    assert errors == []
    assert requests == []
    assert (output_dir / f"{report_path.stem}.png").stat().st_size > 10_000


THRESHOLD_WIDTHS = """Array.from(document.querySelectorAll('#fig-figure2 .shapelayer path, #fig-trajectories .shapelayer path'))
  .map(p => parseFloat(getComputedStyle(p).strokeWidth))"""
CLIPPED_LABELS = """(id) => { const box = document.getElementById(id).getBoundingClientRect();
  return Array.from(document.querySelectorAll('#' + id + ' .ytick text, #' + id + ' .xtitle, #' + id + ' .gtitle'))
    .map(t => t.getBoundingClientRect())
    .filter(r => r.width > 0 && (r.left < box.left - 1 || r.right > box.right + 1)).length; }"""


@pytest.mark.browser
def test_report_at_390_px_shows_new_sections_threshold_lines_and_unclipped_labels(chromium, report_path, output_dir):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(**chromium)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})
            page.goto(report_path.as_uri(), wait_until="load")
            page.wait_for_function("document.querySelectorAll('.plotly-graph-div .main-svg').length >= 6",
                                   timeout=30000)
            sections = page.evaluate("['sensitivity', 'time-to-response', 'by-site', 'exposure', 'missing-data', "
                                     "'multiplicity', 'completeness', 'publication-check']"
                                     ".filter(id => document.getElementById(id)?.innerText.length > 100)")
            banner = page.evaluate("document.querySelector('.banner.simulated')?.innerText || ''")
            widths = page.evaluate(THRESHOLD_WIDTHS)
            clipped = {fig: page.evaluate(CLIPPED_LABELS, fig) for fig in ("fig-forest", "fig-sites", "fig-km")}
            page.locator("#forest").screenshot(path=str(output_dir / "forest-390.png"))
            page.locator("#by-site").screenshot(path=str(output_dir / "sites-390.png"))
            page.screenshot(path=str(output_dir / "report-390.png"), full_page=True)
        finally:
            browser.close()
    assert len(sections) == 8, sections
    assert banner.startswith("Simulated data")
    # the 100 ×10⁹/L line: Figure 2 and both trajectory panels, drawn with a visible stroke
    assert len(widths) >= 3 and all(w > 0 for w in widths), widths
    assert clipped == {"fig-forest": 0, "fig-sites": 0, "fig-km": 0}
    assert (output_dir / "forest-390.png").stat().st_size > 5_000
