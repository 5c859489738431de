"""URL configuration of the web application.

Every view carries its roles (``@allow`` / ``@public`` / ``@api_allow``); the permission test
walks this configuration, so a new route without roles fails the test suite.
"""

from django.contrib.auth.decorators import login_not_required
from django.urls import path, register_converter

from khetrial.bundle.format import ID_URL_REGEX

from khetrial.edc.web.api import OPENAPI_ROLES, api, docs_view, openapi_view
from khetrial.edc.web.language import switch_language
from khetrial.edc.web.permissions import allow
from khetrial.edc.web.views import audit, auth, entry, patients, queries, screening, static, trial
from khetrial.edc.web.views import accounts, bedside, dmc, epro, pedsql, signin, standards, unblinding

handler400 = "khetrial.edc.web.errors.bad_request"
handler403 = "khetrial.edc.web.errors.permission_denied"
handler404 = "khetrial.edc.web.errors.page_not_found"
handler500 = "khetrial.edc.web.errors.server_error"


class IdentifierConverter:
    """A patient id in a URL: the bundle format's one identifier pattern (no "/", ≤ 40)."""

    regex = ID_URL_REGEX

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


register_converter(IdentifierConverter, "pid")


def _api_urls():
    """django-ninja's routes; login is checked by the API's own authentication (401)."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        pattern.callback = login_not_required(pattern.callback)
    return patterns, app_name, namespace


urlpatterns = [
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("language/", switch_language, name="set_language"),
    path("", auth.home, name="home"),
    path("dashboard/", bedside.dashboard, name="dashboard"),
    path("patients/", patients.patient_list, name="patients"),
    path("patients/<pid:patient_id>/", patients.patient_detail, name="patient"),
    path("patients/<pid:patient_id>/edit/", entry.edit_patient, name="patient_edit"),
    path("patients/<pid:patient_id>/qol/questionnaire/", pedsql.questionnaire, name="pedsql"),
    path("patients/<pid:patient_id>/<str:table_name>/add/", entry.add_record, name="record_add"),
    path("patients/<pid:patient_id>/<str:table_name>/<int:pk>/edit/", entry.edit_record,
         name="record_edit"),
    path("patients/<pid:patient_id>/<str:table_name>/<int:pk>/void/", entry.void_record,
         name="record_void"),
    path("patients/<pid:patient_id>/query/", queries.query_new, name="query_new"),
    path("patients/<pid:patient_id>/epro/", epro.epro_links, name="epro_links"),
    path("q/<str:key>/", epro.epro_form, name="epro_form"),
    path("patients/<pid:patient_id>/unblind/", unblinding.unblinding_request,
         name="unblinding_request"),
    path("export/<str:table_name>.csv", patients.export_table, name="export"),
    path("screening/", screening.screening_list, name="screening"),
    path("screening/new/", screening.screening_new, name="screening_new"),
    path("screening/<int:pk>/randomize/", screening.randomize, name="randomize"),
    path("queries/", queries.query_list, name="queries"),
    path("queries/<int:pk>/answer/", queries.query_answer, name="query_answer"),
    path("queries/<int:pk>/close/", queries.query_close, name="query_close"),
    path("unblinding/", unblinding.unblinding_list, name="unblinding"),
    path("unblinding/<int:pk>/approve/", unblinding.unblinding_approve, name="unblinding_approve"),
    path("unblinding/<int:pk>/reveal/", unblinding.unblinding_reveal, name="unblinding_reveal"),
    path("audit/", audit.audit_list, name="audit"),
    path("audit.csv", audit.audit_csv, name="audit_csv"),
    path("lock/", trial.lock_page, name="lock"),
    path("downloads/", trial.downloads, name="downloads"),
    path("downloads/bundle.zip", trial.download_bundle, name="download_bundle"),
    path("downloads/report.html", trial.download_report, name="download_report"),
    path("downloads/standard/<slug:fmt>.zip", standards.download_standard, name="download_standard"),
    path("dmc/", dmc.dmc_home, name="dmc_report"),
    path("dmc/closed-report.html", dmc.closed_report, name="dmc_closed_report"),
    path("users/", accounts.users, name="users"),
    path("sites/", trial.sites, name="sites"),
    path("users/<str:username>/disable/", accounts.user_disable, name="user_disable"),
    path("users/<str:username>/approve/", accounts.user_approve, name="user_approve"),
    path("users/<str:username>/enable/", accounts.user_enable, name="user_enable"),
    path("users/<str:username>/unlock/", accounts.user_unlock, name="user_unlock"),
    path("users/<str:username>/reset-password/", accounts.user_reset_password,
         name="user_reset_password"),
    path("users/<str:username>/role/", accounts.user_role, name="user_role"),
    path("users/<str:username>/second-factor/remove/", accounts.user_second_factor_remove,
         name="user_second_factor_remove"),
    path("account/password/", signin.password_change, name="password_change"),
    path("account/second-factor/", signin.otp_verify, name="otp_verify"),
    path("account/second-factor/enrol/", signin.otp_enrol, name="otp_enrol"),
    path("vendor/plotly.min.js", static.plotly_js, name="plotly_js"),
    path("static/<path:path>", static.static_file, name="static"),
    path("api/openapi.json", allow(*OPENAPI_ROLES)(openapi_view), name="openapi"),
    path("api/docs", allow(*OPENAPI_ROLES)(docs_view), name="api_docs"),
    path("api/", _api_urls()),
]
