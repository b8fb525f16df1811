"""The emulator's limits and faults: rate limits per channel and across the workspace, methods that
fail for a while, and calls that Slack performs and then loses the answer of."""

from __future__ import annotations

import time
from collections.abc import Iterator
from http.client import RemoteDisconnected

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, ServerErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator

from bot.localslack import LocalUser, SlackEmulator

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
    statuses: list[int] = []
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


# A call performed and its answer lost -----------------------------------------------------------


def test_a_lost_500_answer_leaves_the_message_posted(emu: SlackEmulator, client: WebClient) -> None:
    emu.lose_answer("chat.postMessage", how="500")
    with pytest.raises(SlackApiError) as error:
        client.chat_postMessage(channel="C1", text="once")
    assert error.value.response.status_code == 500 and error.value.response["error"] == "internal_error"
    [message] = emu.messages("C1")
    assert message["text"] == "once", "Slack took the call"
    [delivery] = emu.deliveries
    assert (delivery.kind, delivery.channel, delivery.ts) == ("message", "C1", message["ts"])
    [call] = emu.calls_to("chat.postMessage")
    assert (call.status, call.lost) == (500, "500")
    assert call.lost_answer is not None and call.lost_answer["ts"] == message["ts"], "what the client never saw"
    assert client.chat_postMessage(channel="C1", text="next")["ok"], "one call only"
    assert [c.lost for c in emu.calls_to("chat.postMessage")] == ["500", None]


def test_a_dropped_answer_closes_the_connection_after_the_call_is_performed(
    emu: SlackEmulator, client: WebClient
) -> None:
    emu.lose_answer("chat.postMessage", how="drop")
    with pytest.raises(RemoteDisconnected):
        client.chat_postMessage(channel="C1", text="once")
    assert [m["text"] for m in emu.messages("C1")] == ["once"]
    [call] = emu.calls_to("chat.postMessage")
    assert (call.status, call.response, call.lost) == (0, None, "drop")
    assert call.lost_answer is not None and call.lost_answer["ok"]
    assert client.chat_postMessage(channel="C1", text="next")["ok"], "the emulator serves on"


@pytest.mark.parametrize(
    ("how", "handler"),
    [
        ("500", ServerErrorRetryHandler(2, FixedValueRetryIntervalCalculator(0.01))),
        ("drop", ConnectionErrorRetryHandler(2, FixedValueRetryIntervalCalculator(0.01))),
    ],
)
def test_a_client_that_retries_blindly_posts_twice(emu: SlackEmulator, how: str, handler: object) -> None:
    retrying = WebClient(token=TOKEN, base_url=emu.base_url, retry_handlers=[handler])  # type: ignore[list-item]
    emu.lose_answer("chat.postMessage", how=how)
    assert retrying.chat_postMessage(channel="C1", text="hello")["ok"]
    assert [m["text"] for m in emu.messages("C1")] == ["hello", "hello"], "what a lost answer costs"


def test_lost_answers_count_and_the_channel_they_are_for(emu: SlackEmulator, client: WebClient) -> None:
    emu.lose_answer("chat.postMessage", count=2, how="500", channel="U0ANA")
    assert post(client, "C1") == 200, "another channel's call is answered"
    assert post(client, "U0ANA") == 500
    assert post(client, emu.im_channel("U0ANA")) == 500, "a user ID and their DM channel are one channel"
    assert post(client, "U0ANA") == 200, "two calls, then no more"
    assert len(emu.messages(emu.im_channel("U0ANA"))) == 3, "every call was performed"
    assert client.auth_test()["ok"], "other methods are not touched"


def test_refused_calls_do_not_use_up_a_lost_answer(emu: SlackEmulator, client: WebClient) -> None:
    emu.lose_answer("chat.postMessage")
    emu.fail_next("chat.postMessage", status=503)
    assert post(client, "C1") == 503
    assert emu.messages("C1") == [], "a refused call is not performed"
    assert post(client, "C1") == 500
    assert len(emu.messages("C1")) == 1
    assert [c.lost for c in emu.calls_to("chat.postMessage")] == [None, "500"]


def test_a_lost_answer_of_an_update_leaves_the_message_changed(emu: SlackEmulator, client: WebClient) -> None:
    ts = client.chat_postMessage(channel="C1", text="before")["ts"]
    emu.lose_answer("chat.update", how="drop")
    with pytest.raises(RemoteDisconnected):
        client.chat_update(channel="C1", ts=ts, text="after")
    assert [m["text"] for m in emu.messages("C1")] == ["after"]
    assert [d.kind for d in emu.deliveries] == ["message", "update"]


def test_a_file_whose_completion_answer_is_lost_is_shared_and_sharing_it_again_shares_twice(
    emu: SlackEmulator, client: WebClient
) -> None:
    emu.lose_answer("files.completeUploadExternal", how="500")
    with pytest.raises(SlackApiError):
        client.files_upload_v2(channel="U0ANA", content=b"BEGIN:VCALENDAR", filename="m.ics", initial_comment="cal")
    [shared] = emu.messages(emu.im_channel("U0ANA"))
    assert shared["text"] == "cal" and [f["name"] for f in shared["files"]] == ["m.ics"], "in the history"
    [call] = emu.calls_to("files.completeUploadExternal")
    file_id = call.params["files"][0]["id"]
    client.files_completeUploadExternal(files=[{"id": file_id}], channel_id="U0ANA")
    assert len(emu.messages(emu.im_channel("U0ANA"))) == 2, "completing again shares again"
    assert [d.kind for d in emu.deliveries] == ["file", "file"]


@pytest.mark.parametrize(("how", "count"), [("lost", 1), ("500", 0)])
def test_lost_answers_are_described_plainly(emu: SlackEmulator, how: str, count: int) -> None:
    with pytest.raises(ValueError):
        emu.lose_answer("chat.postMessage", count=count, how=how)


# Methods failing for a while --------------------------------------------------------------------


def test_chosen_methods_fail_for_a_while_and_the_others_work(emu: SlackEmulator, client: WebClient) -> None:
    emu.add_user(LocalUser(id="U0ANA", name="ana", real_name="Ana García"))
    emu.fail_for(["chat.postMessage", "users.info"], 0.5)
    emu.fail_for("chat.update", 0.5, status=503, error="service_unavailable")
    assert post(client, "C1") == 500
    with pytest.raises(SlackApiError) as error:
        client.users_info(user="U0ANA")
    assert error.value.response.status_code == 500
    with pytest.raises(SlackApiError) as error:
        client.chat_update(channel="C1", ts="1.0", text="x")
    assert (error.value.response.status_code, error.value.response["error"]) == (503, "service_unavailable")
    assert client.auth_test()["ok"] and client.conversations_open(users="U0ANA")["ok"], "other methods work"
    assert emu.messages("C1") == [], "nothing failed was performed"
    time.sleep(0.55)
    assert post(client, "C1") == 200, "and then they work again"
    assert client.users_info(user="U0ANA")["user"]["name"] == "ana"


def test_failing_methods_count_against_no_rate_limit(emu: SlackEmulator, client: WebClient) -> None:
    emu.set_rate_limit("chat.postMessage", per_second=1)
    emu.fail_for("chat.postMessage", 0.2)
    assert [post(client, "C1"), post(client, "C2")] == [500, 500]
    time.sleep(0.25)
    assert post(client, "C1") == 200, "the failed calls took no place in the window"


def test_the_whole_api_going_down_still_fails_every_method(emu: SlackEmulator, client: WebClient) -> None:
    emu.go_down(0.3)
    assert post(client, "C1") == 503
    with pytest.raises(SlackApiError):
        client.auth_test()
    time.sleep(0.35)
    assert post(client, "C1") == 200
