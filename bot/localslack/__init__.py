"""Offline Slack: a Web API emulator and a signed-request client for the bot."""

from bot.localslack.emulator import ApiCall, ApiError, Delivery, LocalUser, SlackEmulator
from bot.localslack.workspace import BotResponse, LocalWorkspace

__all__ = ["ApiCall", "ApiError", "BotResponse", "Delivery", "LocalUser", "LocalWorkspace", "SlackEmulator"]
