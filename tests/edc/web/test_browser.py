"""The whole path in a real browser (Debian's chromium via Playwright, issue 5's "done when"):
an investigator logs in, screens a child, sees the failing criterion, fixes it, randomizes,
enters platelet counts and sees them on the chart; the assessor enters an MRI volume; the
statistician downloads the report. Screenshots are kept under test-output/.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tests.edc.web.conftest import PASSWORD, make_trial

SCREENING = {"screening_id": "SCR-A7", "date": "2018-05-02", "birth_date": "2018-02-01",
             "platelets": "150", "fibrinogen": "0.8", "d_dimer": "6"}


def log_in(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def fill_randomization_form(page, lesion_site: str) -> None:
    """The randomization form of the browser tests' child A-07: a boy born 2018-02-01, 4.5 kg,
    55 cm, a deep lesion at ``lesion_site``, no biopsy (the form is not submitted)."""
    page.fill("#id_patient_id", "A-07")
    page.select_option("#id_sex", "M")
    page.fill("#id_birth_date", "2018-02-01")
    page.fill("#id_weight_kg", "4.5")
    page.fill("#id_height_cm", "55")
    page.select_option("#id_lesion_depth", "deep")
    page.select_option("#id_lesion_site", lesion_site)
    page.select_option("#id_biopsy", "0")


def log_out(page):
    page.click("form.logout button[type=submit]")
    page.wait_for_url("**/login/**")


def add_lab(page, base, pid, date, value):
    page.goto(f"{base}/patients/{pid}/labs/add/")
    page.fill("#id_date", date)
    page.select_option("#id_test", "platelets")
    page.fill("#id_value", value)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/patients/{pid}/")


@pytest.mark.browser
@pytest.mark.slow
def test_screen_randomize_enter_chart_assess_and_report(chromium, transactional_db, live_server, output_dir):
    from playwright.sync_api import sync_playwright

    make_trial()
    base = live_server.url
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(**chromium)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900}, accept_downloads=True)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("response", lambda r: errors.append(f"{r.status} {r.url}")
                    if r.status >= 400 else None)

            # the application's clock (time-machine) at the trial's dates: no date is entered
            # after "today" nor data dated before the randomization (edit checks, issue 10)
            with time_machine.travel(dt.datetime(2018, 5, 2, 9, tzinfo=dt.timezone.utc), tick=True):
                # investigator: screening with platelets 150 fails the KMP criterion (Pub.: <100)
                log_in(page, base, "inv_a")
                page.goto(f"{base}/screening/new/")
                for name, value in SCREENING.items():
                    page.fill(f"#id_{name}", value)
                for box in ("#id_diagnosis_basis_0", "#id_liver_function_adequate",
                            "#id_renal_function_adequate", "#id_marrow_function_adequate"):
                    page.check(box)
                page.click("main button[type=submit]")
                failed = page.locator("#failed-criteria li")
                assert failed.count() == 1
                assert failed.first.get_attribute("data-code") == "inclusion_kmp"
                page.screenshot(path=str(output_dir / "1-screening-failed.png"))
                page.fill("#id_platelets", "25")  # fix it
                page.click("main button[type=submit]")
                page.wait_for_url("**/randomize/")

                fill_randomization_form(page, "trunk")
                page.click("main button[type=submit]")
                page.click("#confirm-randomize")  # the summary first (issue 15)
                page.wait_for_url(f"{base}/patients/A-07/")
                assert "randomized" in page.locator(".messages").inner_text()

            with time_machine.travel(dt.datetime(2018, 5, 18, 9, tzinfo=dt.timezone.utc), tick=True):
                log_in(page, base, "inv_a")  # the session ended with the days that passed
                for date, value in (("2018-05-03", "25"), ("2018-05-10", "70"), ("2018-05-17", "130")):
                    add_lab(page, base, "A-07", date, value)
                page.screenshot(path=str(output_dir / "2a-patient.png"), full_page=True)
                try:
                    page.wait_for_selector("#chart-platelets .main-svg", timeout=10000)
                except Exception:
                    raise AssertionError(errors)
                points = page.locator("#chart-platelets .scatterlayer .point")
                assert points.count() == 3
                page.screenshot(path=str(output_dir / "2-platelet-chart.png"), full_page=True)
                log_out(page)

            with time_machine.travel(dt.datetime(2018, 11, 3, 9, tzinfo=dt.timezone.utc), tick=True):
                # blinded assessor: MRI volume
                log_in(page, base, "assessor_a")
                page.goto(f"{base}/patients/A-07/mri/add/")
                page.fill("#id_date", "2018-11-02")
                page.fill("#id_lesion_volume_ml", "-3")
                page.click("main button[type=submit]")
                assert page.locator(".errorlist").count() >= 1  # message on the field
                page.fill("#id_lesion_volume_ml", "33.5")
                page.click("main button[type=submit]")
                page.wait_for_url(f"{base}/patients/A-07/")
                assert "33.5" in page.locator("#mri + p + table, #mri ~ table").first.inner_text()
                page.screenshot(path=str(output_dir / "3-assessor-mri.png"), full_page=True)
                log_out(page)

            # statistician: the report
            log_in(page, base, "stat")
            page.goto(f"{base}/downloads/")
            with page.expect_download() as info:
                page.click("#download-report")
            path = info.value.path()
            assert info.value.suggested_filename == "khetrial-report.html"
            with open(path, encoding="utf-8") as fh:
                assert "<html" in fh.read(3000).lower()
        finally:
            browser.close()
    assert not errors, errors


@pytest.mark.browser
@pytest.mark.slow
def test_the_main_path_in_chinese(chromium, transactional_db, live_server, output_dir):
    """Issue 15: the main path in Simplified Chinese — the switch on the login page, the
    patient list, the patient page, a data-entry form, the investigator's worklist and the
    randomization's confirmation — with the clinical terms of the catalogue; screenshots
    zh-*.png (and /tmp/zh.png, the patient page; /tmp/zh_worklist.png,
    /tmp/zh_randomize_confirm.png).

    The application's clock is 2018-04-04, day 28 of the fixture's patients (randomized
    2018-03-07, counts on days 0, 7, 14): week 4 (SAP: day 28 ± 3) is due and the blood count due
    on day 16 (Pub.: every 2 days until stabilization) overdue, as in test_worklist_browser."""
    from playwright.sync_api import sync_playwright

    make_trial()
    base = live_server.url
    errors: list[str] = []
    now = dt.datetime(2018, 4, 4, 9, tzinfo=dt.timezone.utc)
    with sync_playwright() as p, time_machine.travel(now, tick=True):
        browser = p.chromium.launch(**chromium)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900}, locale="en-US")
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("response", lambda r: errors.append(f"{r.status} {r.url}")
                    if r.status >= 400 else None)
            page.goto(f"{base}/login/")
            assert page.locator("html").get_attribute("lang") == "en"
            page.select_option("#language-select", "zh-hans")
            page.click("#language-submit")
            page.wait_for_url(f"{base}/login/")
            assert page.locator("html").get_attribute("lang") == "zh-hans"
            assert page.locator("main h1").inner_text() == "登录"
            page.fill("#id_username", "inv_a")
            page.fill("#id_password", PASSWORD)
            page.click("main button[type=submit]")
            page.wait_for_url(f"{base}/")
            assert "KHE-KMP 临床试验" in page.locator("main").inner_text()

            page.goto(f"{base}/patients/")
            assert page.locator("main h1").inner_text() == "患者"
            assert page.locator("th[data-field=patient_id]").inner_text() == "患者编号"
            page.screenshot(path=str(output_dir / "zh-1-patients.png"), full_page=True)

            page.goto(f"{base}/patients/A-01/labs/add/")
            assert "实验室检查" in page.locator("main h1").inner_text()
            assert page.locator("label[for=id_date]").inner_text().startswith("采样日期")
            page.fill("#id_date", "2018-03-21")
            page.select_option("#id_test", "platelets")
            assert page.locator("#id_test option:checked").inner_text() == "血小板计数"
            page.fill("#id_value", "95")
            page.screenshot(path=str(output_dir / "zh-2-lab-form.png"), full_page=True)
            page.click("main button[type=submit]")
            page.wait_for_url(f"{base}/patients/A-01/")
            page.screenshot(path=str(output_dir / "zh-3-patient.png"), full_page=True)
            page.screenshot(path="/tmp/zh.png", full_page=False)
            main = page.locator("main").inner_text()
            for term in ("患者 A-01", "血小板计数", "纤维蛋白原", "西罗莫司谷浓度 (ng/mL)", "不良事件",
                         "输血", "治疗组", "西罗莫司 + 泼尼松龙", "每日两次", "时间线"):
                assert term in main, term
            assert "patient_id" not in main and "sirolimus_trough_ng_ml" not in main
            assert "95 ×10⁹/L" in main  # the new platelet count in the timeline, with its unit

            page.goto(f"{base}/")  # the investigator's worklist
            worklist = page.locator("#worklist").inner_text()
            for term in ("今日待完成及已逾期（2018年4月4日）", "第 4 周访视", "血常规（每 2 天一次）",
                         "已逾期", "未处理的警示", "待回复的质疑", "未完成的表单",
                         "筛选号 SCR-A1"):
                assert term in worklist, term
            page.screenshot(path=str(output_dir / "zh-4-worklist.png"), full_page=True)
            page.screenshot(path="/tmp/zh_worklist.png", full_page=True)

            page.click(".worklist-incomplete a:text('随机化')")
            page.wait_for_url("**/randomize/")
            fill_randomization_form(page, "head_neck")
            page.click("main button[type=submit]")
            assert page.locator("main h1").inner_text() == "确认筛选号 SCR-A1 的随机化"
            summary = page.locator("#randomization-summary").inner_text()
            # 2018-02-01 to 2018-04-04: 62 days (2.0 months of 30.4375 days)
            for term in ("随机化日期", "2018年4月4日", "随机化时年龄", "62 天（2.0 个月）",
                         "性别", "男", "病灶深度", "深部", "病灶部位", "头颈部", "体重 (kg)", "4.5",
                         "未填写"):
                assert term in summary, term
            assert "head_neck" not in summary and "lesion_site" not in summary
            page.screenshot(path=str(output_dir / "zh-5-randomize-confirm.png"), full_page=True)
            page.screenshot(path="/tmp/zh_randomize_confirm.png", full_page=True)
            page.click("#confirm-randomize")
            page.wait_for_url(f"{base}/patients/A-07/")
            assert "A-07 已随机化" in page.locator(".messages").inner_text()
        finally:
            browser.close()
    assert not errors, errors
