"""docs/sdk.md's Python twin of the seed's JavaScript example runs, and matches it line for line."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

import pytest

from boxoffice.sdk.models.orders import Order
from tests.helpers import factories as f

pytestmark = pytest.mark.integration

DOC = Path(__file__).resolve().parents[2] / "docs" / "sdk.md"


def code_block(text: str, language: str) -> str:
    match = re.search(rf"```{language}\n(.*?)```", text, re.DOTALL)
    assert match is not None
    return match.group(1)


def twin() -> str:
    section = DOC.read_text(encoding="utf-8").split("## 8.")[1]
    python = section.split("<!-- sdk-twin:start -->")[1].split("<!-- sdk-twin:end -->")[0]
    return code_block(python, "python")


def test_the_twin_has_a_line_for_each_line_of_the_seed():
    section = DOC.read_text(encoding="utf-8").split("## 8.")[1]
    js = code_block(section, "js").splitlines()
    py = twin().splitlines()
    assert len(js) == len(py) == 23
    for js_line, py_line in zip(js, py, strict=True):
        assert js_line.startswith("//") == py_line.lstrip().startswith("#")


async def test_the_twin_runs_against_a_venue_server(live_server):
    ids = f.make_event(live_server.state)
    f.make_user(live_server.state, "johndoe", role="staff")
    source = (
        twin()
        .replace("BaseUrl.TH_PROD", repr(live_server.base_url))
        .replace("SuperSecret123@", f.PASSWORD)
        .replace("7489", str(ids["config_ids"][0]))
    )
    namespace: dict[str, Any] = {}
    body = textwrap.indent(source + "return sdk, order\n", "    ")
    exec(f"async def seed():\n{body}", namespace)
    sdk, order = await namespace["seed"]()
    async with sdk:
        assert isinstance(order, Order)
        assert order.status == "draft" and order.order_item[0].quantity == 4
        assert order.order_contact is not None and order.order_contact.last_name == "Doe"
        assert (await sdk.account.me()).username == "johndoe"
