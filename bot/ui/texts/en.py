"""English catalog. Keys must match ru.py (a test checks)."""

CATALOG: dict[str, str] = {
    "unit.hours": "hour|hours",
    "unit.days": "day|days",
    "unit.emails": "email|emails",
    "unit.sms_codes": "SMS code|SMS codes",
    "moment.today": "at {time} {zone}",
    "moment.tomorrow": "tomorrow at {time} {zone}",
    "moment.day": "on {day} at {time} {zone}",
    "month_names": "January|February|March|April|May|June|July|August|September|October|November|December",
    "moscow_time": "Moscow time",
    "unit.minutes": "minute|minutes",
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
    "awaiting_link_expired": (
        "To continue, confirm your email <b>{email}</b>. The last confirmation link has "
        "expired or could not be sent: press the button below for a fresh one."
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
        "Step 2 of 3: your <b>phone number</b>. Only mobile numbers registered in Russia (+7) "
        "are accepted. Press the button below to share your number, or type it, for example "
        "<code>+7 916 123-45-67</code>. We will send an SMS with a code to it."
    ),
    "phone_button": "Share my phone number",
    "phone_expected": "Please type your phone number, or press the button below to share it.",
    "contact_not_own": (
        "This is someone else's contact. Please share your own number with the button below, "
        "or type it."
    ),
    "phone_refused.not_a_number": (
        "That is not a phone number. Please send a Russian mobile number, for example "
        "<code>+7 916 123-45-67</code>."
    ),
    "phone_refused.invalid": (
        "There is no such number: please check the digits. A Russian mobile number has 10 "
        "digits after +7, for example <code>+7 916 123-45-67</code>."
    ),
    "phone_refused.kazakhstan": (
        "This is a number of Kazakhstan (+7 6xx / 7xx). Only numbers registered in Russia are "
        "accepted. If you have no Russian number, please contact VK Cloud support: "
        "support@mcs.mail.ru."
    ),
    "phone_refused.foreign": (
        "Only numbers registered in Russia (+7) are accepted. If you have no Russian number, "
        "please contact VK Cloud support: support@mcs.mail.ru."
    ),
    "phone_refused.landline": (
        "This is a landline number: it cannot receive an SMS. Please send a mobile number."
    ),
    "phone_refused.toll_free": (
        "This is a toll-free (8-800) number: it cannot receive an SMS. Please send your "
        "mobile number."
    ),
    "phone_refused.not_mobile": (
        "This number cannot receive an SMS (it is not a mobile number). Please send your "
        "mobile number."
    ),
    "phone_limit": (
        "This number is already confirmed on {max} accounts, the most one number can be. "
        "Please send another number."
    ),
    "phone_limit_at_confirm": (
        "The code is right, but meanwhile this number was confirmed on {max} other accounts, "
        "the most one number can be. Please send another number."
    ),
    "code_prompt": (
        "We have sent an SMS with a {length}-digit code to <b>{phone}</b>. Send the code "
        "here; it is valid for {ttl}."
    ),
    "code_prompt_wait": "The code didn't arrive? You can ask for a new one in {wait}.",
    "code_prompt_ready": "The code didn't arrive? Press the button below for a new one.",
    "sms_resend_button": "The code didn't arrive?",
    "change_phone_button": "Change the number",
    "sms_too_soon": "A code was sent a moment ago. You can ask for a new one in {wait}.",
    "sms_failed": (
        "The SMS could not be sent just now. Please send your number again in a minute."
    ),
    "sms_resend_failed": (
        "The SMS could not be sent just now. Please press the button again in a minute."
    ),
    "sms_no_number": "There is no number to send a code to yet. Please send your phone number.",
    "code_expected": "Please send the {length}-digit code from the SMS as a text message.",
    "code_malformed": (
        "The code has {length} digits. Please send the code from the SMS, for example "
        "<code>{example}</code>."
    ),
    "code_wrong": "That code is not right. Attempts left: {left}.",
    "code_exhausted": (
        "That was the last attempt, so this code no longer works. Press the button below for "
        "a new code."
    ),
    "code_expired": (
        "The code sent to <b>{phone}</b> has expired. Press the button below for a new one, "
        "or change the number."
    ),
    "phone_confirmed": "Your phone number <b>{phone}</b> is confirmed.",
    "phone_already_confirmed": "Your phone number is already confirmed.",
    "resend_nothing": "There is nothing to send again at this step.",
    "registration_done": "Your registration is complete: VK Cloud services are active. /balance shows your balance, /autopay your autopayment.",
    "card_intro": (
        "Step 3 of 3: your <b>payment card</b>. To confirm it, {amount} will be charged to "
        "the card. The amount is credited to your VK Cloud balance and is non-refundable.\n\n"
        "You enter the card details in the payment form, never in this chat; your bank may "
        "ask there for its own SMS confirmation."
    ),
    "card_intro_optional": (
        "Linking a <b>payment card</b> is optional for your account. To link one, {amount} "
        "will be charged to the card; the amount is credited to your VK Cloud balance and "
        "is non-refundable. You enter the card details in the payment form, never in this chat."
    ),
    "card_expected": (
        "To link the card, pay the invoice above; the card details go into the payment "
        "form, never into this chat. Need a new invoice? Press the button below."
    ),
    "invoice.title": "VK Cloud card check",
    "invoice.description": (
        "Verification payment of {amount} to link your card. It is credited to your VK Cloud "
        "balance and is non-refundable."
    ),
    "invoice.label": "Card check",
    "sandbox.invoice": (
        "🧪 <b>SANDBOX: a simulated payment.</b> No money moves and no card is asked for.\n"
        "Verification payment: {amount}."
    ),
    "sandbox.pay_button": "Pay {amount} (simulated)",
    "sandbox.decline_button": "Simulate a declined card",
    "payment_declined": (
        "The payment was declined (simulated). Nothing was charged. You can try again with "
        "a new invoice."
    ),
    "new_invoice_button": "New invoice",
    "card_gateway_failed": (
        "The payment form could not be opened just now. Please press the button below to "
        "try again in a minute."
    ),
    "card_linked": (
        "Payment received: {amount} has been credited to your balance, and your card is linked."
    ),
    "card_credited_again": (
        "Payment received: {amount} has been credited to your balance. Your card was already "
        "linked."
    ),
    "payment_unmatched": (
        "We received a payment that we could not match to an invoice of yours. Nothing is "
        "lost: please contact VK Cloud support at support@mcs.mail.ru and quote the payment "
        "id <code>{charge_id}</code>."
    ),
    "precheckout.unknown": "This invoice is not valid. Send /card for a new one.",
    "precheckout.other_account": "This invoice was issued to another account.",
    "precheckout.wrong_amount": "The amount does not match the invoice. Send /card for a new one.",
    "precheckout.superseded": "This invoice is no longer valid: please pay the newest one, or send /card.",
    "precheckout.already_paid": "This card check is already paid: your card is linked.",
    "card_already_linked": "Your card is already linked.",
    "card_not_yet": "The payment card comes after the email and the phone are confirmed.",
    "autopay.offer": (
        "Would you like to set up <b>autopayment</b>? When your balance falls below a "
        "threshold you choose, your card is charged a top-up amount you choose. You can also "
        "set it up or change it later with /autopay."
    ),
    "autopay.setup_button": "Set up autopayment",
    "autopay.skip_button": "Skip",
    "autopay.save_button": "Save",
    "autopay.change_button": "Change",
    "autopay.off_button": "Turn off",
    "autopay.ask_amount": (
        "<b>Auto-top-up amount</b>: how much to add to the balance each time, in whole "
        "rubles, from {min} to {max}."
    ),
    "autopay.ask_threshold": (
        "<b>Minimum balance</b>: top up when the balance falls below this, in whole rubles, "
        "from {min} to {max}."
    ),
    "autopay.not_a_number": (
        "Please send a whole number of rubles, for example <code>{example}</code>."
    ),
    "autopay.out_of_range": "{value} is out of range: please send an amount from {min} to {max}.",
    "autopay.expected_text": "Please send the amount as a text message, for example <code>{example}</code>.",
    "autopay.summary": (
        "Autopayment: when your balance falls below {threshold}, {amount} will be charged to "
        "your card. Save?"
    ),
    "autopay.saved": "Autopayment is on: {amount} when the balance falls below {threshold}.",
    "autopay.skipped": "Autopayment is not set up. You can set it up any time with /autopay.",
    "autopay.off": "Autopayment is off. You can turn it on again with /autopay.",
    "autopay.status_on": (
        "Autopayment is on: when your balance falls below {threshold}, {amount} is charged to "
        "your card."
    ),
    "autopay.status_off": "Autopayment is off.",
    "autopay.no_card": (
        "Autopayment charges your linked card, and no card is linked yet. Link one with /card."
    ),
    "activation_intro": (
        "Everything is confirmed. Press <b>Get started with VK Cloud</b> to activate the "
        "services; {bonus} bonus points will be credited to your balance."
    ),
    "activation_intro_exempt": (
        "A payment card is not required for your account: you can link one later with /card.\n\n"
        "Press <b>Get started with VK Cloud</b> to activate the services; {bonus} bonus "
        "points will be credited to your balance."
    ),
    "get_started_button": "Get started with VK Cloud",
    "activated": (
        "🎉 VK Cloud services are active, and {bonus} bonus points have been credited.\n\n"
        "{balance}\n\n"
        "What's next:\n"
        "• Russian residents can complete the registration of a legal entity by TIN in the "
        "personal account;\n"
        "• read about the trial period;\n"
        "• explore the personal account at https://mcs.mail.ru/app/;\n"
        "• OpenStack CLI or kubectl need API access, switched on with two-factor "
        "authentication: /api_access or the button below.\n\n"
        "The documentation is at https://mcs.mail.ru/docs."
    ),
    "already_active": "Your services are already active; the bonus is credited once per account.",
    "balance": "Balance: {money}\nBonus points: {points}\nTotal: {total}",
    "balance_no_account": "You have no account yet. Send /start to register.",
    "status_title": "Your registration:",
    "status_line": "{mark} {number}. {name}: {progress}",
    "status_detail": "{line} ({detail})",
    "step_name.email": "Email",
    "step_name.phone": "Phone",
    "step_name.card": "Payment card",
    "progress.done": "done",
    "progress.current": "current step",
    "progress.todo": "to do",
    "progress.not_required": "not required for your account",
    "status_no_account": "You have not created an account yet. Send /start to begin.",
    "status_signing_up": (
        "You are creating an account: the work email and the password come first, then the "
        "three confirmation steps (email, phone, payment card)."
    ),
    "status_all_confirmed": "All confirmation steps are done.",
    "help": (
        "I take you through VK Cloud registration: work email and password, then email, "
        "phone and payment card confirmation.\n\n"
        "/start: continue where you stopped\n"
        "/status: where you are and what is left\n"
        "/resend: send the confirmation email or the SMS code again\n"
        "/card: link a payment card\n"
        "/autopay: autopayment settings\n"
        "/balance: balance and bonus points\n"
        "/api_access: API access for OpenStack CLI and kubectl\n"
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
    "support.usage_logs": "Usage: /logs <user id | email | phone> [number of records, default 30]",
    "support.usage_find": "Usage: /find <email | phone | user id>",
    "support.usage_watch": "Usage: /watch <user id>",
    "support.usage_stuck": "Usage: /stuck [hours, default 24]",
    "support.nobody": "Nobody found for {query}.",
    "support.several": "Several people match {query}; use a user id:\n{people}",
    "support.no_records": "No records for user {user_id}.",
    "support.logs_header": "User {user_id}: the last {count} records, oldest first.",
    "support.person": (
        "User {user_id}\nEmail: {email}\nPhone: {phone}\nStep: {step}\n"
        "Created: {created}\nLast message: {last}"
    ),
    "support.no_account": "none yet (signing up)",
    "support.watching": "Watching user {user_id}: new records come here as they happen. /unwatch stops it.",
    "support.unwatched": "Stopped watching user {user_id}.",
    "support.not_watching": "You are not watching anyone.",
    "support.stuck_header": "No progress for {hours} h or more, oldest first:",
    "support.stuck_line": "{user_id} · {email} · {step} · last step done {since}",
    "support.nobody_stuck": "Nobody has been stuck for {hours} h.",
    "step_label.sign_up": "sign-up",
    "step_label.email": "email confirmation",
    "step_label.phone": "phone confirmation",
    "step_label.card": "payment card",
    "step_label.activation": "activation",
    "step_label.active": "active",
    "api.not_active": "API access comes after the registration is finished. What is left: {step}.",
    "api.setup_intro": (
        "API access needs <b>two-factor authentication</b> first. Scan this QR code with an "
        "authenticator app (Google Authenticator, Yandex Key, 2FAS, ...) or enter the key by "
        "hand:\n\n<code>{secret}</code>\n\nAccount: {email}, issuer: VK Cloud. This message "
        "is deleted once the set-up ends."
    ),
    "api.ask_setup_code": "Then send the 6-digit code the app shows.",
    "api.code_malformed": "Please send the 6-digit code from the app, or a backup code.",
    "api.setup_code_malformed": "Please send the 6-digit code from the app.",
    "api.code_wrong": (
        "That code is not right. Attempts left: {left}. Check that the phone sets its time "
        "automatically."
    ),
    "api.setup_exhausted": (
        "Too many wrong codes: this key no longer works. Press the button for a new one."
    ),
    "api.backup_codes": (
        "Two-factor authentication is on. Your backup codes, each works once:\n\n"
        "<code>{codes}</code>\n\n"
        "Keep them somewhere safe, away from this phone. If you lose both these codes and "
        "access to your mailbox, access to the account cannot be restored.\n\n"
        'Press "I have saved the codes" once they are safe: until then I keep them and '
        "show them again if this message is lost."
    ),
    "api.codes_saved_button": "I have saved the codes",
    "api.codes_saved": (
        "Thank you. The bot no longer keeps your backup codes, and the message with them "
        "has been deleted from the chat."
    ),
    "api.enabled": (
        "✅ <b>API access is active.</b>\n\n"
        "Next:\n"
        "• OpenStack CLI: in the personal account, open the project's API access page, "
        "download the openrc file and run <code>source openrc.sh</code>;\n"
        "• kubectl: download your Kubernetes cluster's kubeconfig in the personal account "
        "and set <code>KUBECONFIG</code> to it.\n\n"
        "/api_access shows the status or switches API access off."
    ),
    "api.status_on": "API access is active; two-factor authentication is on.",
    "api.status_off": "API access is off; two-factor authentication is on.",
    "api.ask_code_off": (
        "To switch API access off, send a current code from the app or one of your backup codes."
    ),
    "api.ask_code_on": (
        "To switch API access on, send a current code from the app or one of your backup codes."
    ),
    "api.switched_off": "API access is off. /api_access switches it on again.",
    "api.backup_used": "A backup code was used: it will not work again.",
    "api.replayed": "That code has been used already. Wait for the next one in the app.",
    "api.locked": "Too many wrong codes. Please try again in {minutes} min.",
    "api.nothing_pending": "Nothing is waiting for a code now. Send /api_access.",
    "api_button.activate": "Activate API access",
    "api_button.off": "Switch API access off",
    "api_button.restart": "Get a new key",
    "api.caption_short": "QR code for the authenticator app",
    "sms_limit.sms_account": (
        "You have asked for {limit} today, the most a day. You can ask for a new one "
        "{retry}. If the codes do not arrive, please write to VK Cloud support: "
        "support@mcs.mail.ru."
    ),
    "sms_limit.sms_phone": (
        "This number has been sent {limit} today, the most a day for one number. A new code "
        "can be sent to it {retry}; or send another number."
    ),
    "sms_limit.sms_all": (
        "We cannot send SMS just now: too many were sent in the last hour. Please try again "
        "{retry}."
    ),
    "resend_limit": (
        "You have asked for {limit} today, the most a day. You can ask for another one "
        "{retry}. Meanwhile, please look for the emails already sent, in the Spam folder too."
    ),
    "signup_expired": (
        "Your earlier registration was not confirmed within {days}, so it was removed and "
        "its email address is free again. Let's start again."
    ),
    "payment_mismatched": (
        "We received a payment of {amount}, but it does not match the invoice, so your card "
        "is not linked yet. Nothing is lost: the payment is kept on your account and support "
        "will check it. To link the card now, pay a new invoice."
    ),
    "balance_simulated": "Simulated payments (sandbox, not money): {amount}",
    "balance_held": "Being checked by support: {amount}",
    "flood_notice": "You are sending messages very fast. Please wait a moment: I will read the next one.",
    "command.start": "Start or continue the registration",
    "command.help": "What I can do",
    "command.status": "Where I am and what is left",
    "command.card": "Link a payment card",
    "command.autopay": "Autopayment settings",
    "command.balance": "Balance and bonus points",
    "command.api_access": "API access (two-factor authentication)",
    "command.resend": "Send the email or the SMS code again",
    "command.cancel": "Stop the current input",
    "command.language": "Русский / English",
    "sms.code": (
        "VK Cloud: your confirmation code is {code}. It is valid for {ttl}. "
        "Do not tell it to anyone."
    ),
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
