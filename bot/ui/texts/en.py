"""English catalog. Keys must match ru.py (a test checks).

House style: button names in curly quotes exactly as on the button (“Send the email
again”); one step counter, "Step N of 3", for the three confirmations; amounts and
times come formatted from bot/ui/texts (`money`, `count`, `moment`); `{support}` is
the SUPPORT_CONTACT setting."""

CATALOG: dict[str, str] = {
    "unit.hours": "hour|hours",
    "unit.days": "day|days",
    "unit.emails": "email|emails",
    "unit.sms_codes": "SMS code|SMS codes",
    "unit.steps": "step|steps",
    "unit.minutes": "minute|minutes",
    "unit.seconds": "second|seconds",
    "unit.bonus_points": "bonus point|bonus points",
    "moment.today": "at {time} {zone}",
    "moment.tomorrow": "tomorrow at {time} {zone}",
    "moment.day": "on {day} at {time} {zone}",
    "month_names": (
        "January|February|March|April|May|June|July|August|September|October|November|December"
    ),
    "moscow_time": "Moscow time",
    "greeting": (
        "Hello! I will help you create a <b>VK Cloud</b> account right here in the chat; "
        "it takes about five minutes.\n\n"
        "First your work email and a password for the VK Cloud console, then three "
        "confirmation steps:\n"
        "1. Email: open the link in the email I send you.\n"
        "2. Phone: a Russian mobile number (+7), confirmed with a code sent by SMS.\n"
        "3. Payment card: a verification payment of {amount}, which goes to your balance.\n\n"
        "After that, {bonus} are credited to your balance. Made a mistake? Everything can "
        "be corrected on the way, and /help says what to do at each step."
    ),
    "ask_email": (
        "Please send your <b>work email</b>, for example <code>name@company.ru</code>. "
        "I will send a confirmation link to it."
    ),
    "email_invalid": (
        "That does not look like an email address. Please send one address, "
        "for example <code>name@company.ru</code>."
    ),
    "email_expected": (
        "This step needs your work email as a text message, for example "
        "<code>name@company.ru</code>."
    ),
    "email_taken": (
        "An account with this email already exists. If it is yours, sign in at "
        "https://mcs.mail.ru/app/ or restore the password there. To register a new "
        "account, send another email. Need help? Write to {support}."
    ),
    "email_free_mail_note": (
        "Note: <b>{email}</b> is a free-mail address. A work email is better: some "
        "companies get special registration conditions."
    ),
    "ask_password": (
        "Now choose a <b>password</b> for {email}: you will sign in to the VK Cloud "
        "console with it. The password:\n"
        "• is at least {min_length} characters long;\n"
        "• has upper-case and lower-case Latin letters;\n"
        "• has a digit or one of the symbols <code>{symbols}</code>;\n"
        "• has nothing but Latin letters, digits and these symbols (no Cyrillic letters, "
        "no spaces);\n"
        "• has no repeating groups, such as <code>aaa</code> or <code>123123123</code>.\n\n"
        "I will delete your message with the password as soon as I have read it. "
        "Mistyped the email? Press “Change the email”."
    ),
    "password_expected": (
        "This step needs the password as a text message; the rules are in the message "
        "above. Mistyped the email? Press “Change the email”."
    ),
    "password_refused": (
        "I have deleted your message. This password does not fit:\n{reasons}\n\n"
        "Please send another one."
    ),
    "password_rule.too_short": "it is shorter than {min_length} characters",
    "password_rule.too_long": "it is longer than {max_length} characters",
    "password_rule.no_upper": "it has no upper-case Latin letter (A-Z)",
    "password_rule.no_lower": "it has no lower-case Latin letter (a-z)",
    "password_rule.no_digit_or_symbol": "it has no digit and none of the symbols <code>{symbols}</code>",
    "password_rule.repeating_group": (
        "it has a repeating group (one character or group of characters three times in a row)"
    ),
    "password_rule.forbidden_characters": (
        "it has characters other than Latin letters, digits and the symbols "
        "<code>{symbols}</code> (for example Cyrillic letters or spaces)"
    ),
    "other_email_button": "Change the email",
    "account_created": (
        "Your account has been created, and I have deleted the message with the "
        "password.\n\n"
        "Step 1 of 3: <b>confirm your email</b>. I have sent an email to <b>{email}</b> "
        "from {sender}. Open it and follow the link; the link is valid for {ttl}. If the "
        "email is not in Inbox, look in the <b>Spam</b> folder.\n\n"
        "Mistyped the address? Press “Change the email”."
    ),
    "account_created_email_failed": (
        "Your account has been created, but the confirmation email to <b>{email}</b> "
        "could not be sent just now. Press “Send the email again” in a minute, or "
        "“Change the email” if the address is wrong."
    ),
    "awaiting_link_expired": (
        "Step 1 of 3: confirm your email <b>{email}</b>. The last link has expired or "
        "could not be sent: press “Send the email again” for a new one, or “Change the "
        "email” if the address is wrong."
    ),
    "awaiting_link": (
        "Step 1 of 3: <b>confirm your email</b>. Open the email I sent to <b>{email}</b> "
        "and follow the link. If it is not in Inbox, look in the <b>Spam</b> folder.\n\n"
        "No email, or the link has expired? Press “Send the email again”. Wrong "
        "address? Press “Change the email”."
    ),
    "resend_button": "Send the email again",
    "resend_sent": (
        "A new email has been sent to <b>{email}</b>. Only the link in the newest email works."
    ),
    "resend_too_soon": "The email was sent a moment ago. You can ask for another one in {wait}.",
    "resend_failed": "The email could not be sent just now. Please try again in a minute.",
    "resend_no_account": "There is no account to confirm yet. Send /start to register.",
    "email_already_confirmed": "Your email is already confirmed.",
    "link_confirmed": "Your email <b>{email}</b> is confirmed.",
    "link_expired": "This link has expired. Press “Send the email again” for a new one.",
    "link_superseded": (
        "This link no longer works: a newer email was sent after it. Open the newest "
        "email, or press “Send the email again” for a fresh link."
    ),
    "link_invalid": "This link is not valid. Please open the link in the newest email.",
    "link_other_account": (
        "This link belongs to an account registered from another Telegram account. "
        "Please open it in the Telegram account you registered with."
    ),
    "change_email_button": "Change the email",
    "use_typed_email_button": "Use this address",
    "keep_email_button": "Keep the address",
    "ask_new_email": (
        "Send the right email address. The email sent to <b>{email}</b> and its link will "
        "stop working. Changed your mind? Press “Keep the address”."
    ),
    "email_changed": (
        "Your email is now <b>{email}</b>. I have sent a confirmation email there; links "
        "sent to the old address no longer work. Open the email and follow the link."
    ),
    "email_changed_not_sent": (
        "Your email is now <b>{email}</b>, but the confirmation email could not be sent "
        "just now. Press “Send the email again” in a minute."
    ),
    "new_email_taken": (
        "An account with this email already exists. Send another address, or press "
        "“Keep the address”."
    ),
    "email_same": (
        "That is the address I already have: <b>{email}</b>. The link is in the email sent to it."
    ),
    "email_change_confirmed": (
        "Your email <b>{email}</b> is already confirmed, so it cannot be changed in this "
        "chat. You can change it in the account settings of the VK Cloud console "
        "(https://mcs.mail.ru/app/), or ask support: {support}."
    ),
    "new_email_expected": (
        "Please send the new email address as a text message, or press “Keep the address”."
    ),
    "typed_email_offer": (
        "Is <b>{email}</b> the right address? The link was sent to <b>{current}</b>. "
        "Press “Use this address” and I will send the confirmation email to {email} instead."
    ),
    "link_wait_other": (
        "At this step I am waiting for you to confirm your email, and I cannot answer "
        "messages here. A question? Write to {support}, or send /help."
    ),
    "password_like_deleted": (
        "Your message looked like a password, so I have deleted it from the chat to keep "
        "it safe. Your password was set earlier; it is not needed again."
    ),
    "ask_phone": (
        "Step 2 of 3: your <b>phone number</b>. Only mobile numbers registered in Russia "
        "(+7) are accepted. Press “Share my phone number” below, or type the number, for "
        "example <code>+7 916 123-45-67</code>. I will send a code to it by SMS."
    ),
    "phone_button": "Share my phone number",
    "phone_expected": (
        "This step needs your phone number: type it, or press “Share my phone number” below."
    ),
    "contact_not_own": (
        "This is someone else's contact. Please share your own number with “Share my phone "
        "number” below, or type it."
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
        "This is a number of Kazakhstan (+7 6xx or +7 7xx). Only numbers registered in "
        "Russia are accepted. If you have no Russian number, please write to support: "
        "{support}."
    ),
    "phone_refused.foreign": (
        "Only numbers registered in Russia (+7) are accepted. If you have no Russian "
        "number, please write to support: {support}."
    ),
    "phone_refused.landline": (
        "This is a landline number: it cannot receive an SMS. Please send a mobile number."
    ),
    "phone_refused.toll_free": (
        "This is a toll-free 8-800 number: it cannot receive an SMS. Please send your "
        "mobile number."
    ),
    "phone_refused.not_mobile": (
        "This number cannot receive an SMS: it is not a mobile number. Please send your "
        "mobile number."
    ),
    "phone_limit": (
        "This number is already confirmed on {max} accounts, the most one number can be. "
        "Please send another number."
    ),
    "phone_limit_at_confirm": (
        "The code is right, but meanwhile this number was confirmed on {max} other "
        "accounts, the most one number can be. Please send another number."
    ),
    "code_prompt": (
        "Send here the {length}-digit code from the SMS sent to <b>{phone}</b>. The code "
        "is valid for {ttl}."
    ),
    "code_prompt_wait": (
        "No SMS? You can ask for a new code in {wait}. Wrong number? Press “Change the number”."
    ),
    "code_prompt_ready": (
        "No SMS? Press “Send a new code”. Wrong number? Press “Change the number”."
    ),
    "sms_resend_button": "Send a new code",
    "change_phone_button": "Change the number",
    "sms_sent": "I have sent an SMS with a {length}-digit code to <b>{phone}</b>.",
    "sms_sent_instead": (
        "The number is now <b>{phone}</b>, and I have sent the code there. The code sent "
        "to {old} no longer works."
    ),
    "sms_already_sent": (
        "I sent a code to <b>{phone}</b> {ago} ago, so no new SMS has gone out. Please "
        "use that code."
    ),
    "sms_too_soon": "A code was sent a moment ago. You can ask for a new one in {wait}.",
    "sms_too_soon_to": "A code was sent to <b>{phone}</b> a moment ago. You can ask for a new one in {wait}.",
    "code_replaced": (
        "That is the code from an earlier SMS: a newer code was sent to <b>{phone}</b>. "
        "Please send the code from the newest SMS; this try did not count."
    ),
    "sms_failed": "The SMS could not be sent just now. Please send your number again in a minute.",
    "sms_resend_failed": (
        "The SMS could not be sent just now. Please press “Send a new code” again in a minute."
    ),
    "sms_no_number": "There is no number to send a code to yet. Please send your phone number.",
    "code_expected": ("This step needs the {length}-digit code from the SMS, as a text message."),
    "code_malformed": (
        "The code has {length} digits, for example <code>{example}</code>. Please send "
        "the code from the SMS."
    ),
    "code_wrong": "That code is not right. Tries left: {left}.",
    "code_exhausted": (
        "That was the last try, so this code no longer works. Press “Send a new code”."
    ),
    "code_expired": (
        "The code sent to <b>{phone}</b> has expired. Press “Send a new code”, or "
        "“Change the number”."
    ),
    "phone_confirmed": "Your phone number <b>{phone}</b> is confirmed.",
    "phone_already_confirmed": "Your phone number is already confirmed.",
    "resend_nothing": "There is nothing to send again at this step.",
    "registration_done": (
        "Your registration is complete, and VK Cloud services are active.\n\n"
        "/balance shows your balance, /autopay the autopayment, and /api_access turns on "
        "API access for OpenStack CLI and kubectl. The VK Cloud console: "
        "https://mcs.mail.ru/app/"
    ),
    "card_intro": (
        "Step 3 of 3: your <b>payment card</b>. To check the card, {amount} is charged to "
        "it. This amount goes to your VK Cloud balance and is not refunded.\n\n"
        "You enter the card details in the payment form, never in this chat; your bank "
        "may ask you there to confirm the payment with its own SMS."
    ),
    "card_intro_optional": (
        "A <b>payment card</b> is optional for your account. To link one, {amount} is "
        "charged to it; the amount goes to your VK Cloud balance and is not refunded. You "
        "enter the card details in the payment form, never in this chat."
    ),
    "card_expected": (
        "This step needs the payment, not a message. Never send card details in the "
        "chat: you enter them in the payment form, which opens with “Pay” in the payment "
        "message. If that message is gone or the payment failed, press “Send the payment "
        "form again”."
    ),
    "invoice.title": "VK Cloud card check",
    "invoice.description": (
        "A verification payment of {amount} to link your card. It goes to your VK Cloud "
        "balance and is not refunded."
    ),
    "invoice.label": "Card check",
    "sandbox.invoice": (
        "🧪 <b>Test mode</b>: no money is charged and no card is needed.\n"
        "Verification payment: {amount}."
    ),
    "sandbox.pay_button": "Pay {amount} (test)",
    "sandbox.decline_button": "Test: the bank declines",
    "payment_declined": (
        "The bank declined the payment (test mode), and nothing was charged. Press “Send "
        "the payment form again” to try once more."
    ),
    "new_invoice_button": "Send the payment form again",
    "card_gateway_failed": (
        "The payment form could not be opened just now. Press “Send the payment form "
        "again” in a minute."
    ),
    "card_linked": ("Payment received: {amount} is on your balance, and your card is linked."),
    "card_credited_again": (
        "Payment received: {amount} is on your balance. Your card was already linked."
    ),
    "payment_unmatched": (
        "I received a payment that I could not match to a payment form of yours. Nothing "
        "is lost: please write to support at {support} and quote the payment id "
        "<code>{charge_id}</code>."
    ),
    "precheckout.unknown": "This payment form is not valid. Send /card for a new one.",
    "precheckout.other_account": "This payment form was made for another account.",
    "precheckout.wrong_amount": "The amount does not match the payment form. Send /card for a new one.",
    "precheckout.superseded": (
        "This payment form was replaced by a newer one, and no money was taken. "
        "I am sending you a new form in the chat: please pay that one."
    ),
    "precheckout.already_paid": "This card check is already paid: your card is linked.",
    "card_already_linked": "Your card is already linked.",
    "card_not_yet": "The payment card comes after the email and the phone are confirmed.",
    "autopay.offer": (
        "Would you like to set up <b>autopayment</b>? When your balance falls below an "
        "amount you choose, your card is charged the top-up you choose, so your services "
        "never stop. You can also set it up or change it later with /autopay."
    ),
    "autopay.setup_button": "Set up autopayment",
    "autopay.skip_button": "Skip",
    "autopay.save_button": "Save",
    "autopay.change_button": "Change",
    "autopay.off_button": "Turn off",
    "autopay.ask_amount": (
        "<b>Top-up amount</b>: how much to add to the balance each time, in whole rubles, "
        "from {min} to {max}. Changed your mind? Press “Skip”."
    ),
    "autopay.ask_threshold": (
        "<b>Minimum balance</b>: when the balance falls below this, the top-up is made. "
        "In whole rubles, from {min} to {max}."
    ),
    "amount_problem.not_a_number": (
        "Please send a whole number of rubles, for example <code>{example}</code>."
    ),
    "amount_problem.negative": (
        "An amount cannot be below zero: please send a number of rubles from {min} to "
        "{max}, for example <code>{example}</code>."
    ),
    "amount_problem.fraction": (
        "Whole rubles only, without kopecks: for example <code>{example}</code>."
    ),
    "amount_problem.out_of_range": (
        "{value} is out of range: please send an amount from {min} to {max}."
    ),
    "autopay.expected_text": (
        "Please send the amount as a text message, for example <code>{example}</code>."
    ),
    "autopay.summary": (
        "Autopayment: when your balance falls below {threshold}, {amount} will be charged "
        "to your card. Save?"
    ),
    "autopay.saved": "Autopayment is on: {amount} when the balance falls below {threshold}.",
    "autopay.skipped": "Autopayment is not set up. You can set it up at any time with /autopay.",
    "autopay.off": "Autopayment is off. You can turn it on again with /autopay.",
    "autopay.status_on": (
        "Autopayment is on: when your balance falls below {threshold}, {amount} is charged "
        "to your card."
    ),
    "autopay.status_off": "Autopayment is off.",
    "autopay.no_card": (
        "Autopayment charges your linked card, and no card is linked yet. Link one with /card."
    ),
    "activation_intro": (
        "Everything is confirmed. Press “Get started with VK Cloud” to activate the "
        "services; {bonus} will be credited to your balance."
    ),
    "activation_intro_exempt": (
        "A payment card is not required for your account: you can link one later with "
        "/card.\n\n"
        "Press “Get started with VK Cloud” to activate the services; {bonus} will be "
        "credited to your balance."
    ),
    "get_started_button": "Get started with VK Cloud",
    "activated": (
        "🎉 VK Cloud services are active, and {bonus} have been credited.\n\n"
        "{balance}\n\n"
        "What's next:\n"
        "• the VK Cloud console: https://mcs.mail.ru/app/\n"
        "• registering a legal entity by its TIN (for Russian residents): "
        "https://mcs.mail.ru/docs/en/base/account/start/corporate\n"
        "• what the trial period includes: https://mcs.mail.ru/docs/en/base/account/start/trial\n"
        "• OpenStack CLI and kubectl need API access, which comes with two-factor "
        "authentication: press “Activate API access” or send /api_access.\n\n"
        "All documentation: https://mcs.mail.ru/docs/en/"
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
        "You are creating an account: the work email and the password come first, then "
        "the three confirmation steps (email, phone, payment card)."
    ),
    "status_all_confirmed": "All confirmation steps are done.",
    "help_step.sign_up": (
        "<b>Now</b>: send your work email, for example <code>name@company.ru</code>; a "
        "password comes next. To start again later, send /cancel."
    ),
    "help_step.password": (
        "<b>Now</b>: choose a password for the VK Cloud console; the rules are in the "
        "message above. Mistyped the email? Press “Change the email” or send /email."
    ),
    "help_step.email": (
        "<b>Now</b>, step 1 of 3: open the email from VK Cloud and follow the link. No "
        "email? Look in Spam, or press “Send the email again”. Wrong address? Send /email "
        "to change it."
    ),
    "help_step.phone": (
        "<b>Now</b>, step 2 of 3: send a Russian mobile number, then the code from the "
        "SMS. Wrong number? Press “Change the number”. No SMS after a minute? Press “Send "
        "a new code”."
    ),
    "help_step.card": (
        "<b>Now</b>, step 3 of 3: press “Pay” in the payment message; the verification "
        "amount goes to your balance. No payment message? Send /card for a new one."
    ),
    "help_step.activation": (
        "<b>Now</b>: everything is confirmed. Press “Get started with VK Cloud” to activate "
        "the services; /autopay sets up autopayment."
    ),
    "help_step.active": (
        "<b>Your registration is complete.</b> The VK Cloud console: https://mcs.mail.ru/app/"
    ),
    "help_commands": (
        "/status: where you are and what is left\n"
        "/email: change the email before it is confirmed\n"
        "/resend: send the email or the SMS code again\n"
        "/card: link a payment card\n"
        "/autopay: autopayment settings\n"
        "/balance: balance and bonus points\n"
        "/api_access: API access for OpenStack CLI and kubectl\n"
        "/cancel: stop the current question (your account is kept)\n"
        "/delete: delete an account that is not activated yet\n"
        "/language: Русский / English\n"
        "/reminders: reminders on or off\n"
        "/support: talk to a person here in the chat\n\n"
        "Need a person? Press “Talk to a person”, or write to {support}."
    ),
    "cancelled_signup": (
        "Sign-up stopped; nothing was saved. Send /start whenever you want to begin again."
    ),
    "cancelled_nothing": "There is nothing to cancel. Send /start to continue.",
    "cancelled_kept": (
        "Stopped. Your account {email} is kept with everything done so far; next comes "
        "{step}. Send /start to continue from there, or /delete to delete the account."
    ),
    "cancelled_active": (
        "Stopped. Your registration is complete and nothing is lost; /help shows what I can do."
    ),
    "delete_confirm_button": "Delete the account",
    "delete_keep_button": "Keep the account",
    "delete_ask": (
        "Do you want to delete the account <b>{email}</b>? The email, the phone number and everything "
        "else you gave are deleted, and both can be used for a new registration. This "
        "cannot be undone."
    ),
    "delete_kept": "The account is kept.",
    "deleted": "The account has been deleted. Send /start whenever you want to register again.",
    "delete_has_money": (
        "There is money on this account (the verification payment), so it cannot be "
        "deleted in this chat. Please write to support: {support}."
    ),
    "delete_active": (
        "Your services are active, so the account cannot be deleted in this chat. Please "
        "write to support: {support}."
    ),
    "delete_nothing": "There is no account to delete. Send /start to register.",
    "language_prompt": "Choose your language:",
    "language_set": "Language: English.",
    "language_name.ru": "Русский",
    "language_name.en": "English",
    "unknown_command": "I do not know that command. /help shows what I can do at your step.",
    "text_expected": "I can read only text messages here.",
    "group_redirect": "I work in private chats only. Please write to me directly.",
    "edit_ignored": (
        "I do not read edited messages. Please send the corrected text as a new message."
    ),
    "stale_button": "This button no longer works. Please use the newest message.",
    "error_generic": (
        "Something went wrong on our side. Everything you sent is kept; please try again "
        "in a minute. If it happens again, write to {support}."
    ),
    "support.usage_logs": "Usage: /logs <user id | email | phone> [number of records, default 30]",
    "support.usage_find": "Usage: /find <email | phone | user id>",
    "support.usage_watch": "Usage: /watch <user id>",
    "support.usage_stuck": "Usage: /stuck [hours, default 24]",
    "support.dashboard_link": (
        "Your sign-in link to the support dashboard. It works once, for 5 minutes,"
        " and only for you: do not forward it.\n\n{url}"
    ),
    "support.dashboard_off": (
        "The dashboard is not set up: DASHBOARD_URL is empty in the bot's settings."
        " Until it is, use /logs, /find, /watch and /stuck here."
    ),
    "support.dashboard_limit": (
        "You have asked for {count} sign-in links this hour; you can get the next one"
        " {time}. A link you already have works for 5 minutes after it was sent."
    ),
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
    "step_label.sign_up": "the sign-up",
    "step_label.email": "the email confirmation",
    "step_label.phone": "the phone confirmation",
    "step_label.card": "the payment card",
    "step_label.activation": "the activation",
    "step_label.active": "nothing: the registration is complete",
    "api.not_active": "API access comes after the registration is finished. What is left: {step}.",
    "api.setup_intro": (
        "API access needs <b>two-factor authentication</b> first. Scan this QR code with an "
        "authenticator app (Google Authenticator, Yandex Key, 2FAS and others), or add the "
        "key by hand:\n\n<code>{secret}</code>\n\n"
        "The app shows it as VK Cloud ({email}). I will delete this message when the "
        "set-up ends."
    ),
    "api.key_replaced": (
        "This is a new key: the one shown before no longer works. If you added it to the "
        "app, delete that entry so as not to mix them up."
    ),
    "api.ask_setup_code": "Then send the 6-digit code that the app shows.",
    "api.code_malformed": "Please send the 6-digit code from the app, or a backup code.",
    "api.setup_code_malformed": "Please send the 6-digit code that the app shows.",
    "api.code_wrong": (
        "That code is not right. Tries left: {left}. Check that the phone sets its time "
        "automatically."
    ),
    "api.setup_exhausted": (
        "Too many wrong codes, so this key no longer works. Press “Get a new key”, and "
        "delete the old entry in the app."
    ),
    "api.backup_codes": (
        "Two-factor authentication is on. Here are your backup codes; each works once:\n\n"
        "<code>{codes}</code>\n\n"
        "A backup code stands in for the app's code if you lose your phone or the app. "
        "Keep the codes away from this phone: printed, or in a password manager. If you "
        "lose both the phone and these codes, only support can restore your access.\n\n"
        "Press “I have saved the codes” once they are safe: until then I keep them and "
        "show them again if this message is lost."
    ),
    "api.codes_saved_button": "I have saved the codes",
    "api.codes_saved": (
        "Thank you. I no longer keep your backup codes, and the message with them has "
        "been deleted from the chat."
    ),
    "api.enabled": (
        "✅ <b>API access is on.</b>\n\n"
        "Next:\n"
        "• OpenStack CLI: in the VK Cloud console, open the project's API access page, "
        "download the openrc file and run <code>source openrc.sh</code>. How: "
        "https://mcs.mail.ru/docs/en/tools-for-using-services/cli/openstack-cli\n"
        "• kubectl: download your Kubernetes cluster's kubeconfig in the console and point "
        "<code>KUBECONFIG</code> at it. How: "
        "https://mcs.mail.ru/docs/en/kubernetes/k8s/connect/kubectl\n\n"
        "/api_access shows the status or switches API access off."
    ),
    "api.status_on": "API access is on; two-factor authentication is on.",
    "api.status_off": "API access is off; two-factor authentication is on.",
    "api.ask_code_off": (
        "To switch API access off, send a current code from the app or one of your backup codes."
    ),
    "api.ask_code_on": (
        "To switch API access on, send a current code from the app or one of your backup codes."
    ),
    "api.switched_off": "API access is off. /api_access switches it on again.",
    "api.backup_used": "You used a backup code: it will not work again.",
    "api.replayed": "That code has been used already. Please wait for the next one in the app.",
    "api.locked": "Too many wrong codes. Please try again in {wait}.",
    "api.nothing_pending": "Nothing is waiting for a code now. Send /api_access.",
    "api_button.activate": "Activate API access",
    "api_button.off": "Switch API access off",
    "api_button.restart": "Get a new key",
    "sms_limit.sms_account": (
        "Today you have asked for {limit}: that is the most a day. You can ask for a new "
        "one {retry}. If the codes do not arrive, please write to support: {support}."
    ),
    "sms_limit.sms_phone": (
        "This number has been sent {limit} today: that is the most a day for one number. "
        "A new code can be sent to it {retry}; or send another number."
    ),
    "sms_limit.sms_all": (
        "I cannot send SMS just now: too many were sent in the last hour. Please try again {retry}."
    ),
    "resend_limit": (
        "Today you have asked for {limit}: that is the most a day. You can ask for another "
        "one {retry}. Meanwhile, please look for the emails already sent, in the Spam "
        "folder too; or press “Change the email” if the address is wrong."
    ),
    "signup_expired": (
        "Your earlier registration was not confirmed within {days}, so it was removed and "
        "its email address is free again. Let's start again."
    ),
    "payment_mismatched": (
        "I received a payment of {amount}, but it does not match the payment form, so "
        "your card is not linked yet. Nothing is lost: the payment is kept on your account "
        "and support will check it. To link the card now, press “Send the payment form "
        "again”."
    ),
    "balance_simulated": "Test payments (not real money): {amount}",
    "balance_held": "Being checked by support: {amount}",
    "flood_notice": (
        "You are sending messages very fast. Please wait a moment: I will read the next one."
    ),
    "command.start": "Start or continue the registration",
    "command.help": "What to do at this step",
    "command.status": "Where I am and what is left",
    "command.email": "Change the email before it is confirmed",
    "command.card": "Link a payment card",
    "command.autopay": "Autopayment settings",
    "command.balance": "Balance and bonus points",
    "command.api_access": "API access (two-factor authentication)",
    "command.resend": "Send the email or the SMS code again",
    "command.cancel": "Stop the current question",
    "command.delete": "Delete an account not activated yet",
    "command.language": "Русский / English",
    "command.support": "Talk to a person",
    "command.reminders": "Reminders on or off",
    "console.banner": (
        "VK Cloud onboarding in the console: you are Telegram user {user_id}, and no "
        "message leaves this computer.\n"
        "Type your messages. A number such as 1 presses the button shown with it, k1 a "
        "button of the keyboard under the input field; to send a number as text, start the "
        "line with a space. Paste a link from an email to open it. Ctrl-D ends the session; "
        "everything is kept.\n"
        "Send /start to begin."
    ),
    "console.end": (
        "Session ended; everything is kept. To continue where you stopped, run: {command}"
    ),
    "console.not_shown": "[{method}: not shown in the console]",
    "console.buttons_changed": "buttons changed",
    "console.yours_deleted": "[your message above was deleted from the chat]",
    "console.bot_deleted": "[the bot deleted its message “{quote}”]",
    "console.qr": "The QR code for the authenticator app, and the link it holds:",
    "console.contact": "(sharing your Telegram contact) your phone number:",
    "sms.code": (
        "VK Cloud: your confirmation code is {code}. It is valid for {ttl}. "
        "Do not tell it to anyone."
    ),
    "email.subject": "Complete your registration with VK Cloud",
    "email.text": (
        "Hello!\n\n"
        "To complete your registration with VK Cloud, confirm your email address by "
        "opening this link in Telegram:\n\n{link}\n\n"
        "The link works once and is valid for {ttl}: it expires {expires}.\n"
        "If you did not register with VK Cloud, ignore this email.\n\n"
        "VK Cloud"
    ),
    "email.html": (
        "<p>Hello!</p>"
        "<p>To complete your registration with VK Cloud, confirm your email address by "
        'opening this link in Telegram:</p><p><a href="{link}">Confirm my email</a></p>'
        "<p>Or copy it: {link}</p>"
        "<p>The link works once and is valid for {ttl}: it expires {expires}.<br>"
        "If you did not register with VK Cloud, ignore this email.</p><p>VK Cloud</p>"
    ),
    # -- the support desk (issue 18): the person's side ---------------------------------
    "desk.talk_button": "Talk to a person",
    "desk.offer": "No Russian number? Support can help: press “Talk to a person”.",
    "desk.back_button": "Back to registration",
    "desk.opened": (
        "Describe what happened, in one message or several; photos, documents and voice "
        "messages are fine too. Everything you send now goes to VK Cloud support. Your "
        "registration stays where it was: press “Back to registration” or send /done to "
        "carry on with it, and support's answer will reach you here either way."
    ),
    "desk.received": (
        "Your request has been received. Support usually answers within {wait}; the answer "
        "will appear in this chat."
    ),
    "desk.received_no_figure": (
        "Your request has been received. The answer will appear in this chat."
    ),
    "desk.back": (
        "Back to the registration. Your request stays open, and support's answer will "
        "appear here. To add something, send /support."
    ),
    "desk.not_talking": "You are not writing to support at the moment. To do so, send /support.",
    "desk.unavailable": "Support cannot be reached from this chat. Please write to {support}.",
    "desk.delayed": (
        "Your message is kept and will reach support as soon as it can be delivered. If it "
        "is urgent, write to {support}."
    ),
    "desk.secret_not_sent": (
        "At this step I do not pass on what you type, in case it is a password or a code: "
        "support never needs them. Describe the problem in other words, or press “Back to "
        "registration” to send it to me."
    ),
    "desk.closed": ("Support has closed your request. If you need anything else, send /support."),
    "desk.label": "VK Cloud support",
    # -- the support desk: what staff read in the group (one vocabulary, R34) ---------
    "desk.topic_name": "{email} · {step} · {user_id}",
    "desk.no_email": "no account",
    "desk.card": (
        "User {user_id} · {language}\nEmail: {email}\nPhone: {phone}\nStep: {step} "
        "(reached {since})\nBalance: {balance}\n2FA: {two_factor}\nRequest opened {opened}\n\n"
        "Reply in this topic to answer; a message that starts with ! is a note for staff. "
        "/close closes the request, /card shows this card again."
    ),
    "desk.card_records": "The last {count} records, oldest first:",
    "desk.on": "on",
    "desk.off": "off",
    "desk.none": "-",
    "desk.secret_kept": "[a message at {step}, not copied: it may be a secret]",
    "desk.blocked": "Not delivered: the person has blocked the bot.",
    "desk.not_delivered": "Not delivered: {reason}.",
    "desk.closed_staff": "Request closed by {name}; the person has been told.",
    "desk.nothing_open": "No open request for this person.",
    "desk.queue_header": "Open requests, oldest first:",
    "desk.queue_line": "{user_id} · waiting {waiting} · {answered}",
    "desk.queue_answered": "answered",
    "desk.queue_unanswered": "no answer yet",
    "desk.queue_empty": "No open requests.",
    "desk.no_topic_here": "This topic is not a person's; /queue lists the open requests.",
    "desk.person_returned": "The person went back to the registration; the request stays open.",
    # -- reminders (issue 19) ---------------------------------------------------------
    "reminder_done.email": "Your VK Cloud account is created, but the email is not confirmed yet.",
    "reminder_done.phone": "Your email is confirmed.",
    "reminder_done.card": "Your email and phone are confirmed.",
    "reminder_done.activation": "Everything is confirmed.",
    "reminder.text": (
        "{done} {count} left: {steps}, about {minutes}. Press “Continue” to carry on where "
        "you stopped."
    ),
    "reminder.continue_button": "Continue",
    "reminder.off_button": "Don't remind me",
    "reminders.on": ("Reminders are on: if you stop half-way, I will remind you, never at night."),
    "reminders.off": "Reminders are off. Send /reminders on to turn them back on.",
    "reminders.status_on": "Reminders are on. /reminders off turns them off.",
    "reminders.status_off": "Reminders are off. /reminders on turns them on.",
    "reminders.usage": "Send /reminders on or /reminders off.",
    "list_and": " and ",
}
