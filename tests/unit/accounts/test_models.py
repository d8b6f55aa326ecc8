import pytest

from shared_domain.accounts.emails import normalize_email
from shared_domain.accounts.models import User


@pytest.mark.parametrize(
    ("user", "customer", "vendor", "staff"),
    [
        (User(role="customer"), True, False, False),
        (User(role="vendor"), False, True, False),
        (User(role="staff"), False, False, True),
        # Django's is_staff flag (admin access) counts as platform staff too.
        (User(role="customer", is_staff=True), True, False, True),
    ],
)
def test_role_helpers_follow_the_role(user, customer, vendor, staff):
    assert (user.is_customer, user.is_vendor, user.is_platform_staff) == (customer, vendor, staff)


def test_emails_are_compared_trimmed_and_lower_cased():
    assert normalize_email("  Ada.Obi@Example.COM ") == "ada.obi@example.com"
