from aiogram.fsm.state import State, StatesGroup

from states.secret import SecretState


class Registration(StatesGroup):
    email = State()
    password = SecretState("password")
    # Right after the password: a second copy of it (sent twice, or sent again because
    # the first seemed lost) arrives here.
    awaiting_email_link = SecretState("text while waiting for the email link")
    phone = State()
    sms_code = SecretState("SMS code")
    card = State()
    # Activation: the autopayment offer (when a card is linked), then "Get started".
    activation = State()
    autopay_amount = State()
    autopay_threshold = State()
    autopay_confirm = State()
    active = State()
