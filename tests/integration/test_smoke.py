"""The server starts, answers health, and logs a guest in."""

import httpx


def test_health_and_guest_login(live_server):
    with httpx.Client(base_url=live_server.base_url) as client:
        assert client.get("/event/health").json() == {"status": "ok"}
        response = client.post("/account/v1/guest/login")
        assert response.status_code == 200, response.text
        token = response.json()["data"]["token"]
        me = client.get("/account/v1/user/me", headers={"Authorization": f"Bearer {token}"})
        assert me.json()["data"]["role"] == "guest"
