"""/tci: help for the whole bot, who you are, and who organises and who is a member."""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from bot.language.i18n import N_, _
from bot.language.markup import mentioned_users
from bot.services import outbox, roles
from bot.views import blocks
from handlers import language
from handlers.routing import Call, CommandRouter, Subcommand
from store.models import Person

# One command changes the role or membership of at most this many people; more are asked in several commands.
MOST_PEOPLE_AT_ONCE = 20
SAID_LIMIT = 100  # how much of what was typed an answer quotes back
ORGANISERS_ADD = "organisers add"
ORGANISERS_REMOVE = "organisers remove"
MEMBERS_ADD = "members add"
MEMBERS_REMOVE = "members remove"
# The answer to a command that names nobody, one per command.
UNNAMED_ORGANISER = N_(
    "I couldn't tell whom to make an organiser (I read: {said}). Mention them with @ and pick them from the "
    "list: `/tci {command} @someone`."
)
UNNAMED_EX_ORGANISER = N_(
    "I couldn't tell whom to remove as organiser (I read: {said}). Mention them with @ and pick them from the "
    "list: `/tci {command} @someone`."
)
UNNAMED_MEMBER = N_(
    "I couldn't tell whom to add as a member (I read: {said}). Mention them with @ and pick them from the "
    "list: `/tci {command} @someone`."
)
UNNAMED_EX_MEMBER = N_(
    "I couldn't tell whom to remove from the members (I read: {said}). Mention them with @ and pick them from "
    "the list: `/tci {command} @someone`."
)


def register(app: App, deps: Deps) -> None:
    """Register /tci."""
    router = CommandRouter(
        name="/tci",
        description="Help, who you are, and the group's organisers and members",
        intro=N_(
            "the {group} bot. `/meetings` for meetings, `/practice` to share and find practices, `/announce` for "
            "organisers' announcements; mention me or message me with a question."
        ),
    )
    router.add(Subcommand("whoami", N_("what the group knows about you: role, membership, time zone"), whoami))
    router.add(Subcommand("organisers", N_("list the group's organisers"), list_organisers))
    router.add(
        Subcommand(
            "language",
            N_("the language I write to you in: your choice, else your Slack language"),
            language.choose,
            usage=N_("language [code]"),
            writes=True,
            examples=("language es", "language slack"),
        )
    )
    router.add(
        Subcommand(
            "organisers add",
            N_("make someone an organiser"),
            add_organisers,
            usage=N_("organisers add @someone"),
            organiser_only=True,
            writes=True,
            examples=("organisers add @Ana",),
        )
    )
    router.add(
        Subcommand(
            "organisers remove",
            N_("take the organiser role from someone"),
            remove_organisers,
            usage=N_("organisers remove @someone"),
            organiser_only=True,
            writes=True,
        )
    )
    router.add(
        Subcommand(
            "members", N_("list the people whose membership an organiser set"), list_members, organiser_only=True
        )
    )
    router.add(
        Subcommand(
            "members add",
            N_("count someone as a member (e.g. a guest from a member cluster)"),
            add_members,
            usage=N_("members add @someone"),
            organiser_only=True,
            writes=True,
            examples=("members add @guest",),
        )
    )
    router.add(
        Subcommand(
            "members remove",
            N_("stop counting someone as a member"),
            remove_members,
            usage=N_("members remove @someone"),
            organiser_only=True,
            writes=True,
        )
    )
    router.register(app, deps)


def whoami(call: Call) -> None:
    """Tell the person what the group knows about them."""
    person = call.deps.people.resolve(call.client, call.user_id)
    name = blocks.escape(person.display_name) if person.display_name else person.mention
    call.reply(_role_sentence(person, name) + "\n" + _zone_sentence(person.tz))


def _role_sentence(person: Person, name: str) -> str:
    """Who someone is to the group: organiser or not, member or not (and why not)."""
    if person.is_organiser:
        if person.is_member:
            return _("You are {name}: an *organiser*, and a *member* of the group.", name=name)
        if person.is_guest:
            return _(
                "You are {name}: an *organiser*, and *not a member* "
                "(Slack guests are members only when an organiser adds them).",
                name=name,
            )
        return _("You are {name}: an *organiser*, and *not a member* (an organiser set this).", name=name)
    if person.is_member:
        return _("You are {name}: not an organiser, and a *member* of the group.", name=name)
    if person.is_guest:
        return _(
            "You are {name}: not an organiser, and *not a member* "
            "(Slack guests are members only when an organiser adds them).",
            name=name,
        )
    return _("You are {name}: not an organiser, and *not a member* (an organiser set this).", name=name)


def _zone_sentence(tz: str | None) -> str:
    if tz:
        return _("Your time zone: {zone}.", zone=tz)
    return _("Your time zone: unknown (set it in your Slack profile).")


def list_organisers(call: Call) -> None:
    """List the organisers."""
    organisers = roles.organisers(call.deps)
    if not organisers:
        call.reply(_("The group has no organisers yet. An operator can name them in ORGANISER_IDS."))
        return
    names = ", ".join(person.mention for person in organisers)
    call.reply(_("The group's organisers: {names}.", names=names))


def list_members(call: Call) -> None:
    """List the people whose membership an organiser decided."""
    people = roles.members_set_by_organisers(call.deps)
    members = [p.mention for p in people if p.is_member]
    others = [p.mention for p in people if not p.is_member]
    lines = [
        _("Full workspace users are members unless removed; guests are not unless added."),
        _("Added as members: {names}.", names=", ".join(members)) if members else _("Added as members: nobody."),
        _("Removed from members: {names}.", names=", ".join(others)) if others else _("Removed from members: nobody."),
    ]
    call.reply("\n".join(lines))


def _targets(call: Call, unnamed: str, command: str) -> list[str] | None:
    """The people the command mentions, or None when it names none or too many (and the person is told).

    `unnamed` is the answer when it names nobody (marked with N_; `{said}` is what was typed, `{command}` the
    subcommand's words); `command` is the subcommand's words, e.g. `organisers add`.
    """
    targets = [uid for uid in mentioned_users(call.args) if uid != call.bot_user_id]
    if not targets:
        said = blocks.escape(blocks.clip(call.args, SAID_LIMIT)) if call.args else _("nobody")
        call.reply(_(unnamed, said=said, command=command))
        return None
    if len(targets) > MOST_PEOPLE_AT_ONCE:
        call.reply(
            _(
                "One command changes at most {most} people, and this one names {count}, so nothing was changed. "
                "Split them over several commands of {most} or fewer: `/tci {command} @first @second …`, then "
                "the next {most} in another `/tci {command}`.",
                most=MOST_PEOPLE_AT_ONCE,
                count=len(targets),
                command=command,
            )
        )
        return None
    return targets


def add_organisers(call: Call) -> None:
    """Make the mentioned people organisers and tell each new one, in their own language."""
    targets = _targets(call, UNNAMED_ORGANISER, ORGANISERS_ADD)
    if targets is None:
        return
    notice = outbox.Said(
        N_("<@{user}> made you an organiser of {group}. `/tci help` shows what organisers can do."),
        {"user": call.user_id, "group": call.deps.settings.group_name},
    )
    change = roles.add_organisers(call.deps, slack_ids=targets, notice=notice)
    names = _mentions(change.asked)
    if change.changed:
        call.reply(
            _(
                ":white_check_mark: Now organisers, able to use the organisers' commands: {names}. "
                "I'm letting each new one know in a direct message.",
                names=names,
            )
        )
    else:
        call.reply(_(":white_check_mark: Now organisers, able to use the organisers' commands: {names}.", names=names))


def remove_organisers(call: Call) -> None:
    """Take the organiser role from the mentioned people, never from the last organiser."""
    targets = _targets(call, UNNAMED_EX_ORGANISER, ORGANISERS_REMOVE)
    if targets is None:
        return
    change = roles.remove_organisers(call.deps, slack_ids=targets)
    if change.refused:
        call.reply(
            _(
                "That would leave the group with no organiser, so nothing was changed. "
                "Add another organiser first with `/tci organisers add @someone`."
            )
        )
        return
    parts = []
    if change.changed:
        parts.append(_(":white_check_mark: No longer organisers: {names}.", names=_mentions(change.changed)))
    if change.unchanged:
        parts.append(_("Not organisers, so nothing to change: {names}.", names=_mentions(change.unchanged)))
    call.reply(" ".join(parts))


def add_members(call: Call) -> None:
    """Count the mentioned people as members."""
    targets = _targets(call, UNNAMED_MEMBER, MEMBERS_ADD)
    if targets is None:
        return
    change = roles.set_members(call.deps, slack_ids=targets, member=True)
    call.reply(
        _(
            ":white_check_mark: Now counted as members (priority for places at meetings): {names}.",
            names=_mentions(change.asked),
        )
    )


def remove_members(call: Call) -> None:
    """Stop counting the mentioned people as members."""
    targets = _targets(call, UNNAMED_EX_MEMBER, MEMBERS_REMOVE)
    if targets is None:
        return
    change = roles.set_members(call.deps, slack_ids=targets, member=False)
    call.reply(_(":white_check_mark: No longer counted as members: {names}.", names=_mentions(change.asked)))


def _mentions(slack_ids: tuple[str, ...]) -> str:
    return ", ".join(f"<@{slack_id}>" for slack_id in slack_ids)
