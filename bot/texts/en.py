"""English catalog. Keys must match ru.py (a test checks)."""

CATALOG: dict[str, str] = {
    "unit.hours": "hour|hours",
    "unit.seconds": "second|seconds",
    "greeting": (
        "Hello! I will help you create a <b>VK Cloud</b> account right here in the chat.\n\n"
        "First a work email and a password, then three confirmation steps:\n"
        "1. Email: follow the link we send you.\n"
        "2. Phone: a Russian number (+7), confirmed by an SMS code.\n"
        "3. Payment card: linked with a small verification payment.\n\n"
        "After that the sign-up bonus is credited to your balance."
    ),
    "ask_email": "Please send your <b>work email</b>.",
    "email_invalid": (
        "That does not look like an email address. Please send one address, "
        "for example <code>name@company.ru</code>."
    ),
    "email_expected": "Please send your work email as a text message.",
    "email_taken": (
        "An account with this email already exists. If it is yours, log in on the VK Cloud "
        "site or restore the password there; if you need help, contact support. "
        "To register a new account, send another email."
    ),
    "email_free_mail_note": (
        "Note: <b>{email}</b> is a free-mail address. We recommend a work email: "
        "some corporate accounts get special registration conditions."
    ),
    "ask_password": (
        "Now choose a <b>password</b> for {email}. It must:\n"
        "• be at least {min_length} characters long;\n"
        "• contain upper-case and lower-case Latin letters;\n"
        "• contain a digit or a symbol from <code>{symbols}</code>;\n"
        "• not contain repeating groups of characters, such as <code>aaa</code> or "
        "<code>123123123</code>.\n\n"
        "I will delete your message with the password right after reading it."
    ),
    "password_expected": "Please send the password as a text message.",
    "password_refused": "This password does not fit:\n{reasons}\n\nPlease send another one.",
    "password_rule.too_short": "it is shorter than {min_length} characters",
    "password_rule.too_long": "it is longer than {max_length} characters",
    "password_rule.no_upper": "it has no upper-case Latin letter (A-Z)",
    "password_rule.no_lower": "it has no lower-case Latin letter (a-z)",
    "password_rule.no_digit_or_symbol": "it has no digit and no symbol from <code>{symbols}</code>",
    "password_rule.repeating_group": (
        "it contains a repeating group of characters (the same character or group three "
        "times in a row)"
    ),
    "password_rule.forbidden_characters": (
        "it contains characters other than Latin letters, digits and the symbols "
        "<code>{symbols}</code> (for example Cyrillic letters or spaces)"
    ),
    "password_deleted_note": "Your message with the password has been deleted from the chat.",
    "account_created": (
        "Your account has been created. We have sent a confirmation email to <b>{email}</b> "
        "from {sender}.\n\nOpen it and follow the link: it is valid for {ttl}. "
        "If the email is not in Inbox, check the <b>Spam</b> folder."
    ),
    "account_created_email_failed": (
        "Your account has been created, but the confirmation email to <b>{email}</b> "
        "could not be sent just now. Please press the button below to try again."
    ),
    "awaiting_link": (
        "To continue, confirm your email: open the email we sent to <b>{email}</b> and "
        "follow the link. If it is not in Inbox, check the <b>Spam</b> folder. "
        "No email, or the link expired? Press the button below."
    ),
    "resend_button": "Send confirmation again",
    "resend_sent": "A new confirmation email has been sent to <b>{email}</b>. Only the newest link works.",
    "resend_too_soon": "The email was sent a moment ago. You can request another one in {wait}.",
    "resend_failed": "The email could not be sent just now. Please try again in a minute.",
    "resend_no_account": "There is no account to confirm yet. Send /start to register.",
    "email_already_confirmed": "Your email is already confirmed.",
    "link_confirmed": "Your email <b>{email}</b> is confirmed.",
    "link_expired": "This confirmation link has expired. Press the button below to get a new one.",
    "link_superseded": (
        "This confirmation link is no longer valid: a newer one was sent. "
        "Use the newest email, or press the button below for a fresh link."
    ),
    "link_invalid": "This confirmation link is not valid. Please use the link from the newest email.",
    "link_other_account": (
        "This confirmation link belongs to an account registered from another Telegram "
        "account. Please open it from the Telegram account you registered with."
    ),
    "ask_phone": (
        "Step 2 of 3: your <b>phone number</b>. Only numbers registered in Russia (+7) are "
        "accepted. Press the button below to share your number, or type it, for example "
        "<code>+7 916 123-45-67</code>."
    ),
    "phone_step_unavailable": (
        "Phone confirmation is not open in this bot yet, so I cannot take your number now. "
        "Your account and confirmed email are saved: send /start later and you will "
        "continue from this step."
    ),
    "phone_button": "Share my phone number",
    "help": (
        "I take you through VK Cloud registration: work email and password, then email, "
        "phone and payment card confirmation.\n\n"
        "/start: continue where you stopped\n"
        "/resend: send the confirmation email again\n"
        "/cancel: stop the current input (your account is kept)\n"
        "/language: switch between Russian and English\n"
        "/help: this message"
    ),
    "cancelled_signup": (
        "Sign-up stopped; nothing was saved. Send /start whenever you want to begin again."
    ),
    "cancelled_nothing": "There is nothing to cancel. Send /start to continue.",
    "cancelled_kept": "Stopped. Your account is kept; send /start to continue where you stopped.",
    "language_prompt": "Choose your language:",
    "language_set": "Language: English.",
    "language_name.ru": "Русский",
    "language_name.en": "English",
    "unknown_command": "I do not know that command. Send /help to see what I can do.",
    "text_expected": "I can only read text messages here.",
    "group_redirect": "I work in private chats only. Please write to me directly.",
    "edit_ignored": "I do not read edited messages. Please send it again as a new message.",
    "stale_button": "This button is no longer valid.",
    "error_generic": (
        "Something went wrong on our side. Everything you sent is kept; please try again "
        "in a moment."
    ),
    "command.start": "Start or continue the registration",
    "command.help": "What I can do",
    "command.resend": "Send the confirmation email again",
    "command.cancel": "Stop the current input",
    "command.language": "Русский / English",
    "email.subject": "Complete your registration with VK Cloud",
    "email.text": (
        "Hello!\n\n"
        "To complete your registration with VK Cloud, confirm your email address by "
        "opening this link in Telegram:\n\n{link}\n\n"
        "The link is valid for {ttl}, until {expires} (UTC), and works once.\n"
        "If you did not register with VK Cloud, ignore this email.\n\n"
        "VK Cloud"
    ),
    "email.html": (
        "<p>Hello!</p>"
        "<p>To complete your registration with VK Cloud, confirm your email address by "
        'opening this link in Telegram:</p><p><a href="{link}">Confirm my email</a></p>'
        "<p>Or copy it: {link}</p>"
        "<p>The link is valid for {ttl}, until {expires} (UTC), and works once.<br>"
        "If you did not register with VK Cloud, ignore this email.</p><p>VK Cloud</p>"
    ),
}
