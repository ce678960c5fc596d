"""Properties in the CRM: mostly written by the sync; staff edit notes and read analytics."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_desktop.db.models import LISTING_STATUSES, TIERS, Contact, Property
from crm_desktop.services import crud
from crm_desktop.services.actor import Actor
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.listing import ListQuery, Page, apply_filters, apply_sort, paginate, search_clause
from crm_desktop.services.validation import amount, choice, clean_text, timestamp, whole_number
from crm_desktop.timeutil import now_iso

LABEL = "property"
SORTABLE = ("title", "location", "listingStatus", "membershipTier", "pricePerNight", "maxGuests", "bedrooms",
            "viewCount", "enquiryCount", "bookingCount", "totalRevenue", "createdAt", "updatedAt", "publishedAt")
FILTERABLE = ("ownerId", "listingStatus", "membershipTier", "propertyId")

CLEANERS: dict[str, crud.Cleaner] = {
    "ownerId": clean_text,
    "propertyId": lambda v: clean_text(v, required=True),
    "title": lambda v: clean_text(v, required=True),
    "location": clean_text,
    "bedrooms": whole_number,
    "bathrooms": whole_number,
    "maxGuests": whole_number,
    "pricePerNight": amount,
    "listingStatus": lambda v: choice(v, LISTING_STATUSES),
    "membershipTier": lambda v: choice(v, TIERS),
    "viewCount": whole_number,
    "publishedAt": timestamp,
    "expiresAt": timestamp,
    "internalNotes": lambda v: clean_text(v, long=True),
    "rejectionReason": lambda v: clean_text(v, long=True),
}


@dataclass(frozen=True)
class PropertyFilter:
    owner_id: str | None = None
    status: str | None = None
    tier: str | None = None
    search: str | None = None


def _check_owner(session: Session, clean: dict[str, Any]) -> None:
    owner_id = clean.get("ownerId")
    if owner_id:
        owner = session.get(Contact, owner_id)
        if owner is None:
            raise ValidationError({"ownerId": f"no contact with id {owner_id}"})
        if owner.type != "owner":
            raise ValidationError({"ownerId": "that contact is a guest, not an owner"})


def create_property(session: Session, actor: Actor, data: dict[str, Any], reason: str | None = None) -> Property:
    actor.require("write")
    for required in ("propertyId", "title"):
        if required not in data:
            raise ValidationError({required: "is required"})
    clean = crud.clean_fields(data, CLEANERS)
    _check_owner(session, clean)
    if session.scalar(select(Property.id).where(Property.propertyId == clean["propertyId"])):
        raise ValidationError({"propertyId": f"platform property {clean['propertyId']} is already in the CRM"})
    now = now_iso()
    prop = Property(**clean, createdAt=now, updatedAt=now)
    session.add(prop)
    crud.flush(session, LABEL)
    crud.record(session, actor, LABEL, prop, "created",
                {k: {"before": None, "after": str(v)} for k, v in clean.items() if v is not None}, reason)
    return prop


def get_property(session: Session, actor: Actor, property_id: str) -> Property:
    actor.require("read")
    return crud.get_or_404(session, Property, property_id, LABEL)


def update_property(session: Session, actor: Actor, property_id: str, changes: dict[str, Any],
                    expected_version: int | None = None, reason: str | None = None) -> Property:
    return crud.update_entity(session, actor, Property, LABEL, property_id, changes, CLEANERS,
                              expected_version=expected_version, reason=reason, status_field="listingStatus",
                              validate=lambda _row, clean: _check_owner(session, clean))


def list_properties(session: Session, actor: Actor, query: ListQuery | None = None,
                    filt: PropertyFilter | None = None) -> Page[Property]:
    """Properties by owner, listing status and tier, with a search over title and location."""
    actor.require("read")
    query = query or ListQuery()
    filt = filt or PropertyFilter()
    stmt = select(Property)
    stmt, _ = apply_filters(stmt, Property, "properties", FILTERABLE, query.filters,
                            {"ownerId": filt.owner_id, "listingStatus": filt.status, "membershipTier": filt.tier})
    search = filt.search or query.search
    if search and search.strip():
        stmt = stmt.where(search_clause([Property.title, Property.location], search))
    stmt = apply_sort(stmt, Property, SORTABLE, query.sort, query.descending, "title")
    return paginate(session, stmt, query.offset, query.limit)
