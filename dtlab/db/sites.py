"""The sites this database knows of: itself, and the others bundles have named."""

from __future__ import annotations

from sqlmodel import Session, select

from dtlab.db.models import Meta, SiteName


def site_names(session: Session) -> dict[str, str]:
    """Site id → code for every site this database knows of, itself included."""
    names = {n.id: n.code for n in session.scalars(select(SiteName))}
    site, code = session.get(Meta, "site_id"), session.get(Meta, "site_code")
    if site and code:
        names[site.value] = code.value
    return names
