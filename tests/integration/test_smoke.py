"""The server starts, answers health (with its instance id and mode), and logs a guest in."""

import httpx

from boxoffice.server.app import create_app
from boxoffice.server.config import ServerSettings


def test_health_and_guest_login(live_server):
    with httpx.Client(base_url=live_server.base_url) as client:
        health = client.get("/event/health").json()
        assert health == {
            "status": "ok",
            "instance_id": live_server.state.instance_id,
            "mode": "training",  # no Stripe keys: the emulator
        }
        assert len(health["instance_id"]) == 32
        response = client.post("/account/v1/guest/login")
        assert response.status_code == 200, response.text
        token = response.json()["data"]["token"]
        me = client.get("/account/v1/user/me", headers={"Authorization": f"Bearer {token}"})
        assert me.json()["data"]["role"] == "guest"


def test_the_instance_id_is_kept_by_its_database(tmp_path):
    """The same database gives the same id at every start; another database another id."""

    def instance_id(folder: str) -> str:
        app = create_app(ServerSettings(data_dir=tmp_path / folder, load_demo=False))
        try:
            state = app.state.server
            return str(state.instance_id)
        finally:
            app.state.server.engine.dispose()

    first = instance_id("a")
    assert instance_id("a") == first
    assert instance_id("b") != first
