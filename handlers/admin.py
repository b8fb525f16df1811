"""/tci: help for the whole bot, who you are, and who organises and who is a member."""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from bot.language import i18n
from bot.language.i18n import N_, _
from bot.language.markup import mentioned_users
from bot.services import languages, roles
from bot.views import blocks
from handlers.routing import Call, CommandRouter, Subcommand

# One command changes the role or membership of at most this many people; more are asked in several commands.
MOST_PEOPLE_AT_ONCE = 20
SAID_LIMIT = 100  # how much of what was typed an answer quotes back
ORGANISERS_ADD = "organisers add @someone"
ORGANISERS_REMOVE = "organisers remove @someone"
MEMBERS_ADD = "members add @someone"
MEMBERS_REMOVE = "members remove @someone"


def register(app: App, deps: Deps) -> None:
    """Register /tci."""
    router = CommandRouter(
        name="/tci",
        description="Help, who you are, and the group's organisers and members",
        intro=f"the {deps.settings.group_name} bot. `/meetings` for meetings, `/practice` to share and "
        "find practices, `/announce` for organisers' announcements; mention me or message me with a question.",
    )
    router.add(Subcommand("whoami", "what the group knows about you: role, membership, time zone", whoami))
    router.add(Subcommand("organisers", "list the group's organisers", list_organisers))
    router.add(
        Subcommand(
            "language",
            N_("the language I write to you in: your choice, else your Slack language"),
            choose_language,
            usage=N_("language [code]"),
            writes=True,
            examples=("language es", "language slack"),
        )
    )
    router.add(
        Subcommand(
            "organisers add",
            "make someone an organiser",
            add_organisers,
            usage=ORGANISERS_ADD,
            organiser_only=True,
            writes=True,
            examples=("organisers add @Ana",),
        )
    )
    router.add(
        Subcommand(
            "organisers remove",
            "take the organiser role from someone",
            remove_organisers,
            usage=ORGANISERS_REMOVE,
            organiser_only=True,
            writes=True,
        )
    )
    router.add(
        Subcommand("members", "list the people whose membership an organiser set", list_members, organiser_only=True)
    )
    router.add(
        Subcommand(
            "members add",
            "count someone as a member (e.g. a guest from a member cluster)",
            add_members,
            usage=MEMBERS_ADD,
            organiser_only=True,
            writes=True,
            examples=("members add @guest",),
        )
    )
    router.add(
        Subcommand(
            "members remove",
            "stop counting someone as a member",
            remove_members,
            usage=MEMBERS_REMOVE,
            organiser_only=True,
            writes=True,
        )
    )
    router.register(app, deps)


def whoami(call: Call) -> None:
    """Tell the person what the group knows about them."""
    person = call.deps.people.resolve(call.client, call.user_id)
    role = "an *organiser*" if person.is_organiser else "not an organiser"
    if person.is_member:
        member = "a *member* of the group"
    elif person.is_guest:
        member = "*not a member* (Slack guests are members only when an organiser adds them)"
    else:
        member = "*not a member* (an organiser set this)"
    tz = person.tz or "unknown (set it in your Slack profile)"
    name = blocks.escape(person.display_name) if person.display_name else person.mention
    call.reply(f"You are {name}: {role}, and {member}.\nYour time zone: {tz}.")


def choose_language(call: Call) -> None:
    """Say which languages there are, or record the one the person chose and answer in it."""
    asked = call.args.strip()
    spoken = ", ".join(f"`{code}` ({i18n.name_of(code)})" for code in i18n.available())
    if not asked:
        call.reply(
            _(
                "I write to you in {name}. I speak {languages}; choose one with `/tci language es`, or "
                "`/tci language slack` to follow your Slack language.",
                name=i18n.name_of(i18n.language()),
                languages=spoken,
            )
        )
        return
    chosen = languages.choose(call.deps, call.user_id, asked)
    if chosen is None:
        call.reply(
            _(
                "I don't speak “{asked}”. I speak {languages}: e.g. `/tci language es`.",
                asked=blocks.escape(asked[:SAID_LIMIT]),
                languages=spoken,
            )
        )
        return
    if chosen == languages.FOLLOW_SLACK:
        with i18n.speaking(languages.of_person(call.deps, call.client, call.user_id)):
            call.reply(
                _("From now on I write to you in your Slack language, {name}.", name=i18n.name_of(i18n.language()))
            )
        return
    with i18n.speaking(chosen):
        call.reply(_("From now on I write to you in {name}.", name=i18n.name_of(chosen)))


def list_organisers(call: Call) -> None:
    """List the organisers."""
    organisers = roles.organisers(call.deps)
    if not organisers:
        call.reply("The group has no organisers yet. An operator can name them in ORGANISER_IDS.")
        return
    names = ", ".join(person.mention for person in organisers)
    call.reply(f"The group's organisers: {names}.")


def list_members(call: Call) -> None:
    """List the people whose membership an organiser decided."""
    people = roles.members_set_by_organisers(call.deps)
    members = [p.mention for p in people if p.is_member]
    others = [p.mention for p in people if not p.is_member]
    lines = [
        "Full workspace users are members unless removed; guests are not unless added.",
        f"Added as members: {', '.join(members) or 'nobody'}.",
        f"Removed from members: {', '.join(others) or 'nobody'}.",
    ]
    call.reply("\n".join(lines))


def _targets(call: Call, verb: str, usage: str) -> list[str] | None:
    """The people the command mentions, or None when it names none or too many (and the person is told)."""
    targets = [uid for uid in mentioned_users(call.args) if uid != call.bot_user_id]
    if not targets:
        said = blocks.escape(blocks.clip(call.args, SAID_LIMIT)) if call.args else "nobody"
        call.reply(
            f"I couldn't tell whom to {verb} (I read: {said}). "
            f"Mention them with @ and pick them from the list: `/tci {usage}`."
        )
        return None
    if len(targets) > MOST_PEOPLE_AT_ONCE:
        command = usage.removesuffix(" @someone")
        call.reply(
            f"One command changes at most {MOST_PEOPLE_AT_ONCE} people, and this one names {len(targets)}, "
            f"so nothing was changed. Split them over several commands of {MOST_PEOPLE_AT_ONCE} or fewer: "
            f"`/tci {command} @first @second …`, then the next {MOST_PEOPLE_AT_ONCE} in another `/tci {command}`."
        )
        return None
    return targets


def add_organisers(call: Call) -> None:
    """Make the mentioned people organisers and tell them."""
    targets = _targets(call, "make an organiser", ORGANISERS_ADD)
    if targets is None:
        return
    notice = (
        f"<@{call.user_id}> made you an organiser of {call.deps.settings.group_name}. "
        "`/tci help` shows what organisers can do."
    )
    change = roles.add_organisers(call.deps, slack_ids=targets, notice=notice)
    names = _mentions(change.asked)
    told = " I'm letting each new one know in a direct message." if change.changed else ""
    call.reply(f":white_check_mark: Now organisers, able to use the organisers' commands: {names}.{told}")


def remove_organisers(call: Call) -> None:
    """Take the organiser role from the mentioned people, never from the last organiser."""
    targets = _targets(call, "remove as organiser", ORGANISERS_REMOVE)
    if targets is None:
        return
    change = roles.remove_organisers(call.deps, slack_ids=targets)
    if change.refused:
        call.reply(
            "That would leave the group with no organiser, so nothing was changed. "
            "Add another organiser first with `/tci organisers add @someone`."
        )
        return
    parts = []
    if change.changed:
        parts.append(f":white_check_mark: No longer organisers: {_mentions(change.changed)}.")
    if change.unchanged:
        parts.append(f"Not organisers, so nothing to change: {_mentions(change.unchanged)}.")
    call.reply(" ".join(parts))


def add_members(call: Call) -> None:
    """Count the mentioned people as members."""
    _set_members(call, member=True)


def remove_members(call: Call) -> None:
    """Stop counting the mentioned people as members."""
    _set_members(call, member=False)


def _set_members(call: Call, *, member: bool) -> None:
    if member:
        targets = _targets(call, "add as a member", MEMBERS_ADD)
    else:
        targets = _targets(call, "remove from the members", MEMBERS_REMOVE)
    if targets is None:
        return
    change = roles.set_members(call.deps, slack_ids=targets, member=member)
    names = _mentions(change.asked)
    if member:
        call.reply(f":white_check_mark: Now counted as members (priority for places at meetings): {names}.")
    else:
        call.reply(f":white_check_mark: No longer counted as members: {names}.")


def _mentions(slack_ids: tuple[str, ...]) -> str:
    return ", ".join(f"<@{slack_id}>" for slack_id in slack_ids)
