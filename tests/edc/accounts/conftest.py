import pytest

PASSWORD = "correct-horse-battery-7"


@pytest.fixture
def site_a(db):
    from khetrial.edc.trial.models import Site

    return Site.objects.create(code="A", name="Centre A")
