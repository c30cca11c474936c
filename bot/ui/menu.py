"""The commands in the Telegram client's menu (R16), in the order shown."""

MENU = (
    "start",
    "status",
    "resend",
    "card",
    "autopay",
    "balance",
    "api_access",
    "cancel",
    "language",
    "help",
)
