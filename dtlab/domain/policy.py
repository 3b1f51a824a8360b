"""The accreditation policy: how long a period lasts and how long before its end re-accreditation
falls due. The seed says an accredited centre operates for three years, extendable after evaluation and
re-accreditation; the lab asks for re-accreditation six months before the end. A database may
set its own (`dtlab policy`), checked here, and periods already opened keep their dates."""

from __future__ import annotations

from dtlab.i18n import _

ACCREDITATION_YEARS = 3
RENEWAL_LEAD_MONTHS = 6


def check_lengths(years: int, lead_months: int) -> None:
    """What any period needs: a length of a year or more, and a lead time that is not negative."""
    if years < 1:
        raise ValueError(_("an accreditation period lasts at least one year"))
    if lead_months < 0:
        raise ValueError(_("the renewal lead time cannot be negative"))


def check_policy(years: int, lead_months: int) -> tuple[int, int]:
    """A policy a database may set, or ValueError saying what makes no sense."""
    check_lengths(years, lead_months)
    if lead_months >= years * 12:
        raise ValueError(_("re-accreditation must fall due within the period"))
    return years, lead_months
