"""The emulator's rate limits: per channel, across the workspace, and both at once."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.localslack import SlackEmulator

TOKEN = "xoxb-local-token"


@pytest.fixture
def emu() -> Iterator[SlackEmulator]:
    with SlackEmulator() as emulator:
        yield emulator


@pytest.fixture
def client(emu: SlackEmulator) -> WebClient:
    return WebClient(token=TOKEN, base_url=emu.base_url, retry_handlers=[])


def post(client: WebClient, channel: str) -> int:
    """Post to `channel`; return the HTTP status (429 included) and check Retry-After on a 429."""
    try:
        return client.chat_postMessage(channel=channel, text="hi").status_code
    except SlackApiError as error:
        response = error.response
        if response.status_code == 429:
            assert int(response.headers["Retry-After"]) >= 1
            assert response["error"] == "ratelimited"
        return response.status_code


def test_the_workspace_limit_counts_calls_to_every_channel(emu: SlackEmulator, client: WebClient) -> None:
    emu.set_rate_limit("chat.postMessage", per_second=2)
    assert [post(client, f"C{i}") for i in range(3)] == [200, 200, 429]
    assert [len(emu.messages(f"C{i}")) for i in range(3)] == [1, 1, 0]
    assert post(client, "C3") == 429, "a refused call does not free a place"
    assert client.auth_test()["ok"], "other methods are not limited"
    time.sleep(1.05)
    assert post(client, "C2") == 200, "the window has moved on"


def test_the_workspace_limit_admits_its_rate_over_time(emu: SlackEmulator, client: WebClient) -> None:
    emu.set_rate_limit("chat.postMessage", per_second=20)
    started = time.monotonic()
    statuses = []
    while time.monotonic() - started < 1.5:
        statuses.append(post(client, f"C{len(statuses)}"))
    accepted = statuses.count(200)
    assert 20 <= accepted <= 40, "one window's burst, then about 20 a second"
    assert 429 in statuses


def test_a_fractional_rate_spaces_single_calls(emu: SlackEmulator, client: WebClient) -> None:
    emu.set_rate_limit("chat.postMessage", per_second=0.5)
    assert [post(client, "C1"), post(client, "C2")] == [200, 429]
    with pytest.raises(SlackApiError) as error:
        client.chat_postMessage(channel="C3", text="hi")
    assert error.value.response.headers["Retry-After"] == "2", "the window is two seconds long"


def test_both_limits_at_once(emu: SlackEmulator, client: WebClient) -> None:
    emu.set_rate_limit("chat.postMessage", per_channel_per_second=1, per_second=3)
    assert post(client, "C1") == 200
    assert post(client, "C1") == 429, "the channel's limit"
    assert post(client, "U0ANA") == 200
    assert post(client, emu.im_channel("U0ANA")) == 429, "a user ID and their DM channel are one channel"
    assert post(client, "C2") == 200
    assert post(client, "C3") == 429, "the workspace's limit: three accepted within the second"
    assert [c.status for c in emu.calls_to("chat.postMessage")] == [200, 429, 200, 429, 200, 429]


def test_a_refusal_by_the_workspace_limit_leaves_the_channel_free(emu: SlackEmulator, client: WebClient) -> None:
    emu.set_rate_limit("chat.postMessage", per_channel_per_second=0.1, per_second=1)
    assert post(client, "C1") == 200
    assert post(client, "C2") == 429
    time.sleep(1.05)
    assert post(client, "C2") == 200, "C2's refused call did not count against C2"


def test_setting_limits_again_replaces_them(emu: SlackEmulator, client: WebClient) -> None:
    emu.set_rate_limit("chat.postMessage", per_second=1)
    assert [post(client, "C1"), post(client, "C2")] == [200, 429]
    emu.set_rate_limit("chat.postMessage", per_channel_per_second=1)
    assert [post(client, "C2"), post(client, "C3"), post(client, "C2")] == [200, 200, 429]
    emu.set_rate_limit("chat.postMessage")
    assert [post(client, "C2") for _ in range(3)] == [200, 200, 200]


def test_injected_faults_come_first_and_do_not_count(emu: SlackEmulator, client: WebClient) -> None:
    emu.set_rate_limit("chat.postMessage", per_second=1)
    emu.fail_next("chat.postMessage", status=429, retry_after=3)
    with pytest.raises(SlackApiError) as error:
        client.chat_postMessage(channel="C1", text="hi")
    assert error.value.response.headers["Retry-After"] == "3"
    assert post(client, "C1") == 200, "the injected 429 took no place in the window"


@pytest.mark.parametrize("rates", [{"per_second": 0}, {"per_channel_per_second": -1}])
def test_rates_must_be_positive(emu: SlackEmulator, rates: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        emu.set_rate_limit("chat.postMessage", **rates)
