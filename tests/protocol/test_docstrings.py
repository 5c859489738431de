"""Issue 6: "Each function's docstring cites the sentence of the publication (or the source
you used) it encodes." Every public function of the rule modules of khetrial.protocol quotes
its sentence (text in quotation marks) or names its outside source."""

import importlib
import inspect

import pytest

RULE_MODULES = ["alerts", "continuation", "definitions", "dosing", "eligibility", "failure",
                "prednisolone", "schedule", "supportive_care", "titration"]
# Sources other than the publication that a docstring may name instead of a quotation, and
# the project's own documented choices where the publication is silent.
SOURCES = ("Mosteller", "Haycock", "Du Bois", "Rapamune", "label", "bundle format", "SAP",
           "project assumption", "project choice")


def public_functions():
    for name in RULE_MODULES:
        module = importlib.import_module(f"khetrial.protocol.{name}")
        for fname, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module.__name__ and not fname.startswith("_"):
                yield f"{name}.{fname}", function


@pytest.mark.parametrize(("name", "function"), list(public_functions()),
                         ids=[n for n, _ in public_functions()])
def test_every_rule_function_cites_its_sentence_or_source(name, function):
    doc = inspect.getdoc(function) or ""
    assert '"' in doc or "“" in doc or any(source in doc for source in SOURCES), (
        f"{name}: the docstring should quote the publication's sentence or name its source")
