"""The cameo fixtures (a verified cameo with stored reference media) and fast password hashing, shared with the
cameo tests."""

from tests.cameos.conftest import _fast_passwords, make_cameo  # noqa: F401 (fixtures)
