"""The bot's commands (R16): those in the Telegram client's menu, in the order shown,
and every command the bot knows."""

MENU = (
    "start",
    "status",
    "email",
    "resend",
    "card",
    "autopay",
    "balance",
    "api_access",
    "cancel",
    "delete",
    "language",
    "reminders",
    "support",
    "help",
)

# Support staff's commands (handlers/support.py): not in the menu.
SUPPORT_COMMANDS = ("logs", "find", "watch", "unwatch", "stuck", "dashboard")
# The support desk's (issue 18): /done ends the person's side, the rest are the staff's
# in the group.
DESK_COMMANDS = ("done", "queue", "close", "card")
# Every command, as a person types it bare.
KNOWN_COMMANDS = frozenset(f"/{name}" for name in (*MENU, *SUPPORT_COMMANDS, *DESK_COMMANDS))
