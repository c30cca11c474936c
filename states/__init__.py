from states.api_access import ApiAccess
from states.registration import Registration

__all__ = ["ApiAccess", "Registration"]
