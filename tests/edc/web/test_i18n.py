"""Every interface string is translatable and translated (issue 15's "done when": "a test fails
if any template string is not translatable or any zh-Hans entry is missing").

Runs without GNU gettext: messages are extracted with Django's ``templatize`` and babel
(:mod:`tests.edc.web.catalogue`), the catalogue is read and the ``.mo`` checked with babel.
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from django.utils import translation
from babel.messages.mofile import read_mo
from django.template.base import Lexer, TokenType
from django.test import Client

from khetrial.edc.trial.models import Screening, Site
from tests.edc.web.catalogue import (MO_PATH, PO_PATH, extract_messages, read_catalogue,
                                     template_files)
from tests.conftest import pass_second_factor
from tests.edc.web.conftest import PASSWORD

# Text a template may show untranslated: the product's name, units and symbols, identifiers.
ALLOWED_WORDS = {"khetrial", "UTC", "mL", "mg", "ng", "API"}
VISIBLE_ATTRIBUTES = ("title", "placeholder", "alt", "aria-label", "value")
PLACEHOLDER = re.compile(r"%\((\w+)\)s|\{(\w+)\}")
ATTRIBUTE = re.compile(r"""\b(%s)\s*=\s*"([^"]*)\"""" % "|".join(VISIBLE_ATTRIBUTES))


def untranslated_text(source: str) -> list[str]:
    """The visible words of a template that no translate/blocktranslate tag wraps.

    Every template tag and variable becomes a blank, the text inside blocktranslate and comment
    blocks too; what is left, without HTML markup (but with the words of the title,
    placeholder, alt, aria-label and value attributes), must have no letter but the
    :data:`ALLOWED_WORDS`.
    """
    parts: list[str] = []
    depth = 0  # inside {% blocktranslate %} or {% comment %}
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0]
            if name in ("blocktranslate", "blocktrans", "comment"):
                depth += 1
            elif name in ("endblocktranslate", "endblocktrans", "endcomment"):
                depth -= 1
        if token.token_type == TokenType.TEXT and not depth:
            parts.append(token.contents)
        else:
            parts.append(" ")
    text = re.sub(r"<script\b.*?</script>|<!--.*?-->", " ", "".join(parts), flags=re.S)
    attributes = [value for tag in re.findall(r"<[^>]*>", text)
                  for _name, value in ATTRIBUTE.findall(tag)]
    visible = unescape(" ".join([re.sub(r"<[^>]*>", " ", text), *attributes]))
    visible = re.sub(r"(?<![\w/])/[\w./-]+", " ", visible)  # a URL path, e.g. /api/openapi.json
    return [word for word in re.findall(r"[A-Za-z\u4e00-\u9fff][\w\u4e00-\u9fff'-]*", visible)
            if word not in ALLOWED_WORDS]


def test_the_checker_finds_an_unwrapped_word_and_passes_wrapped_ones():
    assert untranslated_text("<p>Patients</p>") == ["Patients"]
    assert untranslated_text('<input placeholder="search">') == ["search"]
    assert untranslated_text('{% load i18n %}<p>{% translate "Patients" %}</p>') == []
    assert untranslated_text("{% blocktranslate %}Patient {{ pid }}{% endblocktranslate %}") == []
    assert untranslated_text('<p class="error" data-code="{{ c }}">{{ c }} (mg)</p>') == []
    assert untranslated_text("<h1>患者</h1>") == ["患者"]
    assert untranslated_text('<a href="/api/openapi.json">/api/openapi.json</a>') == []
    assert untranslated_text("{% comment %}a note{% endcomment %}<b>and/or</b>") == ["and", "or"]


@pytest.mark.parametrize("path", template_files(), ids=lambda p: p.name)
def test_every_visible_template_string_is_translatable(path: Path):
    assert untranslated_text(path.read_text(encoding="utf-8")) == []


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return bool(strings) and all(strings)


def test_every_message_has_a_zh_hans_translation_that_is_not_fuzzy():
    catalogue = read_catalogue()
    problems = []
    for (context, msgid), _plural in sorted(extract_messages().items(),
                                            key=lambda kv: (kv[0][0] or "", kv[0][1])):
        entry = catalogue.get(msgid, context=context)
        if entry is None:
            problems.append(f"missing: {msgid!r}")
        elif entry.fuzzy:
            problems.append(f"fuzzy: {msgid!r}")
        elif not _translated(entry):
            problems.append(f"untranslated: {msgid!r}")
    assert not problems, (f"{len(problems)} zh-Hans catalogue problems; run "
                          "`PYTHONPATH=src python -m tests.edc.web.catalogue` and translate:\n"
                          + "\n".join(problems))


def test_every_translation_keeps_the_placeholders_of_its_message():
    problems = []
    for message in read_catalogue():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = {m for i in ids for m in PLACEHOLDER.findall(i)}
        for string in strings:
            if {m for m in PLACEHOLDER.findall(string)} != wanted:
                problems.append(f"{ids[0]!r} -> {string!r}")
    assert not problems, problems


def test_the_catalogue_has_no_message_the_code_no_longer_uses():
    used = set(extract_messages())
    obsolete = [m.id for m in read_catalogue() if m.id and (
        m.context, m.id[0] if isinstance(m.id, tuple) else m.id) not in used]
    assert obsolete == []


def _entries(catalogue) -> dict:
    return {(m.context, m.id if isinstance(m.id, str) else m.id[0]):
            tuple(m.string) if isinstance(m.string, (tuple, list)) else m.string
            for m in catalogue if m.id and not m.fuzzy and _translated(m)}


def test_the_committed_mo_is_the_compiled_po():
    with open(MO_PATH, "rb") as fh:
        compiled = read_mo(fh)
    expected, actual = _entries(read_catalogue()), _entries(compiled)
    assert len(expected) > 400
    assert actual == expected, f"{MO_PATH.name} is older than {PO_PATH.name}: run the catalogue tool"


@pytest.fixture(autouse=True)
def english_outside_requests():
    """Each test starts and ends in English: a request in Chinese leaves its language active in
    the thread (LocaleMiddleware activates, nothing deactivates), and labels read outside a
    request would follow it."""
    translation.activate("en")
    yield
    translation.activate("en")


# -- the interface in Chinese ----------------------------------------------------------------

@pytest.fixture
def chinese(login, settings):
    """``chinese("inv_a")``: the test client logged in, its browser set to Chinese (after the
    login, which starts with fresh cookies)."""
    def _chinese(username):
        client = login(username)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
        return client
    return _chinese


@pytest.mark.db
def test_the_patient_page_speaks_chinese_with_the_clinical_terms(trial, chinese):
    page = chinese("inv_a").get("/patients/A-01/").content.decode()
    # the glossary of the catalogue's header: KHE-KMP trial terms as Chinese papers write them
    for term in ("患者编号", "血小板计数", "纤维蛋白原", "西罗莫司谷浓度", "不良事件", "输血",
                 "随机化日期", "治疗组", "泼尼松龙", "每日两次", "退出登录"):
        assert term in page, term
    assert '<html lang="zh-hans">' in page
    assert "2018年3月7日" in page or "2018-03-07" in page  # bedside dates in Chinese format


@pytest.mark.db
def test_dates_follow_the_language(trial, login, client, settings):
    login("stat")
    client.post("/lock/", {"reason": "interim"})
    english = client.get("/lock/").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    chinese = client.get("/lock/").content.decode()
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", english)
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d UTC", chinese)


@pytest.mark.db
def test_the_screening_failure_lists_the_criterion_in_chinese(trial, chinese):
    page = chinese("inv_a").post("/screening/new/", {
        "screening_id": "SCR-Z1", "date": "2018-03-01", "birth_date": "2018-01-01",
        "platelets": "150", "fibrinogen": "0.8", "d_dimer": "6", "diagnosis_basis": ["clinical"],
        "liver_function_adequate": "on", "renal_function_adequate": "on",
        "marrow_function_adequate": "on"}).content.decode()
    # Pub. inclusion criterion "KMP: a platelet count <100 × 10⁹/L": 150 fails it
    assert "卡萨巴赫-梅里特现象：血小板计数 &lt;100 × 10⁹/L" in page
    assert "纳入标准" in page


@pytest.mark.db
def test_the_language_choice_is_remembered_for_the_user(trial, client, login):
    login("inv_a")
    response = client.post("/language/", {"language": "zh-hans", "next": "/patients/"})
    assert response.status_code == 302 and response["Location"] == "/patients/"
    other_browser = Client()  # no language cookie
    assert other_browser.login(username="inv_a", password=PASSWORD)
    pass_second_factor(other_browser, "inv_a")  # inv_a has an authenticator (login fixture)
    page = other_browser.get("/patients/")
    assert "患者编号" in page.content.decode()
    assert page.cookies["django_language"].value == "zh-hans"  # the browser remembers it too
    english = Client()
    assert english.login(username="inv_b", password=PASSWORD)  # another user: unchanged
    assert "Patient number" in english.get("/patients/").content.decode()


@pytest.mark.db
def test_the_switch_is_on_the_login_page_for_anyone(client, db):
    page = client.get("/login/").content.decode()
    assert 'action="/language/"' in page and 'value="zh-hans"' in page
    client.post("/language/", {"language": "zh-hans", "next": "/login/"})
    assert "用户名" in client.get("/login/").content.decode()


@pytest.mark.db
def test_the_screening_list_names_the_failed_criteria(trial, chinese, login):
    Screening.objects.create(screening_id="SCR-F1", date="2018-03-01", eligible=False,
                             site=Site.objects.get(code="A"),
                             reason="inclusion_kmp;exclusion_unable_to_comply")
    english = login("inv_a").get("/screening/").content.decode()
    assert "inclusion: KMP: a platelet count &lt;100 × 10⁹/L" in english
    assert "exclusion: unwilling or unable to comply with the protocol" in english
    page = chinese("inv_a").get("/screening/").content.decode()
    assert "纳入标准: 卡萨巴赫-梅里特现象" in page and "排除标准: 不愿或不能遵守研究方案" in page
