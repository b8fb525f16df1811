"""What the handlers register: commands, events, shortcuts and organiser-only actions.

The Slack app manifest and the security tests are derived from it, so that what the
code listens to and what Slack is told about cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    """Kinds of things a person can do that reach a listener."""

    SUBCOMMAND = "subcommand"
    ACTION = "action"
    VIEW = "view"
    SHORTCUT = "shortcut"


@dataclass(frozen=True)
class CommandSpec:
    """A slash command as Slack is told about it."""

    name: str
    description: str
    usage_hint: str


@dataclass(frozen=True)
class ShortcutSpec:
    """A global or message shortcut as Slack is told about it."""

    callback_id: str
    name: str
    description: str
    type: str = "message"


@dataclass(frozen=True)
class ActionSpec:
    """One thing a person can do: a subcommand, a button, a modal submission or a shortcut."""

    kind: Kind
    id: str
    summary: str
    organiser_only: bool = False


@dataclass
class Registry:
    """The list of everything registered, filled by the handlers' `register` functions."""

    commands: list[CommandSpec] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    shortcuts: list[ShortcutSpec] = field(default_factory=list)
    actions: list[ActionSpec] = field(default_factory=list)
    scopes: set[str] = field(default_factory=set)

    def add_command(self, spec: CommandSpec) -> None:
        """Record a slash command."""
        if any(existing.name == spec.name for existing in self.commands):
            raise ValueError(f"command {spec.name} registered twice")
        self.commands.append(spec)

    def add_event(self, event_type: str) -> None:
        """Record a subscription to an Events API event type."""
        if event_type not in self.events:
            self.events.append(event_type)

    def add_shortcut(self, spec: ShortcutSpec) -> None:
        """Record a shortcut."""
        self.shortcuts.append(spec)

    def add_action(self, spec: ActionSpec) -> None:
        """Record something a person can do, and whether only organisers may."""
        if any(existing.kind == spec.kind and existing.id == spec.id for existing in self.actions):
            raise ValueError(f"{spec.kind} {spec.id} registered twice")
        self.actions.append(spec)

    def organiser_only(self) -> list[ActionSpec]:
        """Return what only organisers may do."""
        return [action for action in self.actions if action.organiser_only]
