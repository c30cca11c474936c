from aiogram.fsm.state import State, StatesGroup

from states.secret import SecretState


class Registration(StatesGroup):
    email = State()
    password = SecretState("password")
    # Right after the password: a second copy of it (sent twice, or sent again because
    # the first seemed lost) arrives here.
    awaiting_email_link = SecretState("password sent again", only_if_password_like=True)
    # R31: the right address, replacing a mistyped one before it is confirmed.
    new_email = State()
    phone = State()
    sms_code = SecretState("SMS code")
    card = State()
    # Activation: the autopayment offer (when a card is linked), then "Get started".
    activation = State()
    autopay_amount = State()
    autopay_threshold = State()
    autopay_confirm = State()
    active = State()
