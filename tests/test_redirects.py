"""Following ``next`` only to this site's paths, and never with characters a header refuses."""

import pytest

from tests.conftest import PASSWORD
from tracker.redirects import safe_next_url


@pytest.mark.parametrize("target", [
    "/patients/1\nSet-Cookie: x=1", "/patients/1\r\n", "/a\x00b", "/a\tb", "/a\x7fb",
    "https://evil.example/", "//evil.example", "/\\evil.example", "patients",
])
def test_unsafe_targets_are_not_followed(target):
    assert safe_next_url(target) is None


def test_a_plain_path_is_followed():
    assert safe_next_url("/patients/3/sessions/new?protocol=builtin:x") == (
        "/patients/3/sessions/new?protocol=builtin:x")


def test_login_with_a_newline_in_next_lands_on_the_start_page(client, clinic_world):
    response = client.post("/login?next=/patients/%0d%0aSet-Cookie:x=1",
                           data={"email": "practitioner@a.test", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"  # not the header-splitting target
    assert "Set-Cookie: x=1" not in str(response.headers)
