"""Which URLs are Tickethead's (`is_tickethead_url`), and the tenant host an organizer gets."""

from __future__ import annotations

import pytest

from boxoffice.sdk import BaseUrl, is_tickethead_url
from boxoffice.sdk._client import tenant_url


@pytest.mark.parametrize("url", [*(str(base) for base in BaseUrl), "https://API.tickethead.io/"])
def test_tickethead_hosts(url):
    assert is_tickethead_url(url)
    assert is_tickethead_url(url, tenant=False)


def test_a_tenants_host_is_tickethead_but_not_a_bare_host():
    url = "https://demo.api.staging.tickethead.io"
    assert is_tickethead_url(url)
    assert not is_tickethead_url(url, tenant=False)


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8765", "http://10.0.0.5:8000", "https://evilapi.tickethead.io", "", "x"],
)
def test_other_urls_are_venue_servers(url):
    assert not is_tickethead_url(url)


def test_tenant_url():
    assert tenant_url(BaseUrl.TH_PROD, "demo") == "https://demo.api.tickethead.io"
    assert tenant_url("https://demo.api.tickethead.io", "demo") == "https://demo.api.tickethead.io"
    assert tenant_url("http://127.0.0.1:8765", "demo") == "http://127.0.0.1:8765"
    assert tenant_url(BaseUrl.TH_PROD, "") == BaseUrl.TH_PROD
