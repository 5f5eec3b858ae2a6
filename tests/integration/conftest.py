"""The integration suite shares the e2e fake vendors (one server per session)."""

from tests.e2e.conftest import fake, fake_server  # noqa: F401  (fixtures)
