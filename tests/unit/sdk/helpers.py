"""A MockTransport-backed SDK whose sleeps are recorded instead of waited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from boxoffice.sdk import SDK

BASE = "http://venue.test"
Handler = Callable[[httpx.Request], httpx.Response]


def ok(data: Any, status: int = 200) -> httpx.Response:
    return httpx.Response(status, json={"data": data})


def error(status: int, code: str, **extra: Any) -> httpx.Response:
    headers = extra.pop("headers", None)
    body = {"message": f"{code} happened", "errorCode": code, **extra}
    return httpx.Response(status, json=body, headers=headers)


class Recorder:
    """Answers requests in order from a list (or a handler) and keeps what was sent."""

    def __init__(self, *answers: httpx.Response | Handler | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []
        self.sleeps: list[float] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx.Response):
            return answer
        return answer(request)

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


async def build(recorder: Recorder, *, max_retries: int = 2, base_url: str = BASE) -> SDK:
    http = httpx.AsyncClient(transport=httpx.MockTransport(recorder))
    sdk = await SDK.build(base_url, organizer="demo", max_retries=max_retries, http_client=http)
    sdk.requestor.sleep = recorder.sleep
    sdk.requestor.rand = lambda: 0.0
    return sdk
