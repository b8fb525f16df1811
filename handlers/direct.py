"""What a command sends to the direct messages of whoever typed it: files and charts."""

from __future__ import annotations

from handlers.routing import Call


def direct_channel(call: Call) -> str:
    """The conversation of the bot's direct messages with whoever typed the command."""
    return str(call.client.conversations_open(users=call.user_id)["channel"]["id"])


def send_chart(call: Call, chart: bytes | None, *, filename: str, title: str, comment: str) -> None:
    """Send a chart (a PNG) to whoever typed the command, by direct message; nothing when there is none."""
    if chart is not None:
        call.client.files_upload_v2(
            channel=direct_channel(call), filename=filename, title=title, content=chart, initial_comment=comment
        )
