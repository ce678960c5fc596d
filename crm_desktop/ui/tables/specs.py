"""The columns and filters of each list table (contacts, properties, enquiries, memberships, activity).

Each column is a ColumnSpec: data() stays a short dispatcher and the SQL side (sort keys, filter
names) lives in crm_desktop.services.table_queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from crm_desktop import formatting as fmt
from crm_desktop.db.models import (
    ACTIONS,
    CONTACT_STATUSES,
    CONTACT_TYPES,
    ENQUIRY_STATUSES,
    ENTITY_TYPES,
    LISTING_STATUSES,
    MEMBERSHIP_STATUSES,
    PRIORITIES,
    TIERS,
)
from crm_desktop.ui.tables.paged_model import CENTER, RIGHT, ColumnSpec

# (text, background) per status: the same palette as the stylesheet's chips.
ENQUIRY_STATUS_COLOURS = {
    "new": ("#1d4ed8", "#dbeafe"),
    "contacted": ("#0f766e", "#ccfbf1"),
    "negotiating": ("#b45309", "#fef3c7"),
    "booked": ("#15803d", "#dcfce7"),
    "lost": ("#4b5563", "#e5e7eb"),
    "spam": ("#b91c1c", "#fee2e2"),
}
MEMBERSHIP_STATUS_COLOURS = {
    "active": ("#15803d", "#dcfce7"),
    "expiring_soon": ("#b45309", "#fef3c7"),
    "expired": ("#4b5563", "#e5e7eb"),
    "cancelled": ("#4b5563", "#e5e7eb"),
    "suspended": ("#b91c1c", "#fee2e2"),
}
CONTACT_STATUS_COLOURS = {"active": ("#15803d", "#dcfce7"), "inactive": ("#4b5563", "#e5e7eb"),
                          "blocked": ("#b91c1c", "#fee2e2")}
LISTING_STATUS_COLOURS = {"live": ("#15803d", "#dcfce7"), "pending_approval": ("#b45309", "#fef3c7"),
                          "draft": ("#4b5563", "#e5e7eb"), "paused": ("#4b5563", "#e5e7eb"),
                          "rejected": ("#b91c1c", "#fee2e2"), "expired": ("#4b5563", "#e5e7eb")}
TIER_COLOURS = {"gold": ("#92400e", "#fde68a"), "silver": ("#374151", "#e5e7eb"),
                "bronze": ("#7c2d12", "#fed7aa")}
PRIORITY_COLOURS = {"high": ("#b91c1c", "#fee2e2"), "medium": ("#b45309", "#fef3c7"),
                    "low": ("#4b5563", "#f3f4f6")}


@dataclass(frozen=True)
class FilterSpec:
    """A filter control: 'choice' (combo), 'text' (owner name...), 'date' or 'days' (a spin box)."""

    key: str
    label: str
    kind: str = "choice"
    choices: tuple[tuple[str, str], ...] = ()  # (value, label); "" is "any"
    loader: Callable[[Any], list[tuple[str, str]]] | None = None  # choices read from the DB (session)
    any_label: str | None = None  # the "no filter" entry; default "Any <label>"


@dataclass(frozen=True)
class TableSpec:
    name: str  # table_queries name
    title: str
    noun: str  # "contact" for "12 contacts"
    columns: list[ColumnSpec]
    filters: list[FilterSpec] = field(default_factory=list)
    open_kind: str | None = None  # 'contact' | 'property' | 'enquiry' | 'membership'
    plural: str | None = None  # when not noun + "s"
    # (module, class) of the "New …" dialog, built as cls(ctx, None, parent), with a `saved(id)` signal
    new_dialog: tuple[str, str] | None = None


def _get(key: str) -> Callable[[dict[str, Any]], str]:
    return lambda r: "" if r.get(key) is None else str(r[key])


def _word(key: str) -> Callable[[dict[str, Any]], str]:
    return lambda r: fmt.humanise(r.get(key))


def _money(key: str) -> Callable[[dict[str, Any]], str]:
    return lambda r: fmt.money(r.get(key))


def _date(key: str) -> Callable[[dict[str, Any]], str]:
    return lambda r: fmt.uk_date(r.get(key))


def _number(key: str) -> Callable[[dict[str, Any]], str]:
    return lambda r: "" if r.get(key) is None else f"{r[key]:,}"


def _raw(key: str) -> Callable[[dict[str, Any]], Any]:
    return lambda r: r.get(key)


def _palette(key: str, colours: dict[str, tuple[str, str]]) -> Callable[[dict[str, Any]], tuple[str, str] | None]:
    return lambda r: colours.get(r.get(key) or "")


def _choices(values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((v, fmt.humanise(v)) for v in values)


def _staff(session: Any) -> list[tuple[str, str]]:
    from crm_desktop.services.table_queries import staff_choices

    return staff_choices(session)


def col(key: str, header: str, format: Callable[[dict[str, Any]], str], sort: str | None = None,
        **kw: Any) -> ColumnSpec:
    return ColumnSpec(key=key, header=header, format=format, sort_key=sort, **kw)


CONTACTS = TableSpec(
    name="contacts", title="Contacts", noun="contact", open_kind="contact",
    new_dialog=("crm_desktop.ui.dialogs.contact_dialog", "ContactDialog"),
    columns=[
        col("name", "Name", lambda r: fmt.person(r.get("firstName"), r.get("lastName"), r.get("email")), "name",
            width=200, export=lambda r: fmt.person(r.get("firstName"), r.get("lastName"))),
        col("email", "Email", _get("email"), "email", width=240),
        col("phone", "Phone", _get("phone"), "phone", width=140),
        col("type", "Type", _word("type"), "type", width=80, export=_raw("type")),
        col("status", "Status", _word("status"), "status", width=90, export=_raw("status"),
            colours=_palette("status", CONTACT_STATUS_COLOURS), align=CENTER),
        col("businessName", "Business", _get("businessName"), "businessName", width=180),
        col("city", "City", _get("city"), "city", width=120),
        col("createdAt", "Added", _date("createdAt"), "createdAt", width=110, export=_raw("createdAt")),
        col("lastContactedAt", "Last contacted", _date("lastContactedAt"), "lastContactedAt", width=120,
            export=_raw("lastContactedAt")),
    ],
    filters=[FilterSpec("type", "Type", choices=_choices(CONTACT_TYPES)),
             FilterSpec("status", "Status", choices=_choices(CONTACT_STATUSES))],
)

PROPERTIES = TableSpec(
    name="properties", title="Properties", noun="property", plural="properties", open_kind="property",
    columns=[
        col("title", "Property", _get("title"), "title", width=240, tooltip=True),
        col("location", "Location", _get("location"), "location", width=140),
        col("owner", "Owner", lambda r: fmt.person(r.get("ownerFirstName"), r.get("ownerLastName"),
                                                   r.get("ownerEmail") or "Owner not synced yet"), "owner",
            width=170),
        col("listingStatus", "Status", _word("listingStatus"), "listingStatus", width=130, align=CENTER,
            colours=_palette("listingStatus", LISTING_STATUS_COLOURS), export=_raw("listingStatus")),
        col("membershipTier", "Tier", _word("membershipTier"), "membershipTier", width=80, align=CENTER,
            colours=_palette("membershipTier", TIER_COLOURS), export=_raw("membershipTier")),
        col("pricePerNight", "Per night", _money("pricePerNight"), "pricePerNight", align=RIGHT, width=100,
            export=_raw("pricePerNight")),
        col("maxGuests", "Guests", _number("maxGuests"), "maxGuests", align=RIGHT, width=70),
        col("enquiryCount", "Enquiries", _number("enquiryCount"), "enquiryCount", align=RIGHT, width=85),
        col("bookingCount", "Bookings", _number("bookingCount"), "bookingCount", align=RIGHT, width=80),
        col("totalRevenue", "Revenue", _money("totalRevenue"), "totalRevenue", align=RIGHT, width=110,
            export=_raw("totalRevenue")),
    ],
    filters=[FilterSpec("owner", "Owner", kind="text"),
             FilterSpec("status", "Status", choices=_choices(LISTING_STATUSES)),
             FilterSpec("tier", "Tier", choices=_choices(TIERS))],
)

ENQUIRIES = TableSpec(
    name="enquiries", title="Enquiries", noun="enquiry", plural="enquiries", open_kind="enquiry",
    new_dialog=("crm_desktop.ui.dialogs.enquiry_dialog", "EnquiryDialog"),
    columns=[
        col("createdAt", "Received", _date("createdAt"), "createdAt", width=110, export=_raw("createdAt")),
        col("guestName", "Guest", lambda r: r.get("guestName") or r.get("guestEmail") or "", "guestName",
            width=170),
        col("guestEmail", "Email", _get("guestEmail"), "guestEmail", width=210),
        col("property", "Property", lambda r: r.get("propertyTitle") or "General enquiry", "property",
            width=210, tooltip=True),
        col("owner", "Owner", lambda r: fmt.person(r.get("ownerFirstName"), r.get("ownerLastName")), "owner",
            width=150),
        col("status", "Status", _word("status"), "status", width=105, align=CENTER,
            colours=_palette("status", ENQUIRY_STATUS_COLOURS), export=_raw("status")),
        col("priority", "Priority", _word("priority"), "priority", width=80, align=CENTER,
            colours=_palette("priority", PRIORITY_COLOURS), export=_raw("priority")),
        col("eventDate", "Event date", _date("eventDate"), "eventDate", width=110, export=_raw("eventDate")),
        col("estimatedGuests", "Guests", _number("estimatedGuests"), "estimatedGuests", align=RIGHT, width=70),
        col("estimatedBudget", "Budget", _money("estimatedBudget"), "estimatedBudget", align=RIGHT, width=100,
            export=_raw("estimatedBudget")),
        col("assignedTo", "Assigned to", _get("assignedTo"), "assignedTo", width=130),
    ],
    filters=[FilterSpec("status", "Status", choices=_choices(ENQUIRY_STATUSES)),
             FilterSpec("priority", "Priority", choices=_choices(PRIORITIES)),
             FilterSpec("owner", "Owner", kind="text"),
             FilterSpec("assignedTo", "Assigned to", loader=_staff, any_label="Anyone"),
             FilterSpec("createdFrom", "From", kind="date"),
             FilterSpec("createdTo", "To", kind="date")],
)

MEMBERSHIPS = TableSpec(
    name="memberships", title="Memberships", noun="membership", open_kind="membership",
    columns=[
        col("member", "Member", lambda r: fmt.person(r.get("firstName"), r.get("lastName"), r.get("email")),
            "member", width=170),
        col("email", "Email", _get("email"), "email", width=210),
        col("property", "Property", _get("propertyTitle"), "property", width=200, tooltip=True),
        col("planTier", "Tier", _word("planTier"), "planTier", width=80, align=CENTER,
            colours=_palette("planTier", TIER_COLOURS), export=_raw("planTier")),
        col("planPrice", "Price", _money("planPrice"), "planPrice", align=RIGHT, width=90,
            export=_raw("planPrice")),
        col("billingCycle", "Billing", _word("billingCycle"), "billingCycle", width=80),
        col("status", "Status", _word("status"), "status", width=115, align=CENTER,
            colours=_palette("status", MEMBERSHIP_STATUS_COLOURS), export=_raw("status")),
        col("endDate", "Ends", _date("endDate"), "endDate", width=110, export=_raw("endDate")),
        col("lastPaymentDate", "Last payment", _date("lastPaymentDate"), "lastPaymentDate", width=115,
            export=_raw("lastPaymentDate")),
        col("lastPaymentAmount", "Amount", _money("lastPaymentAmount"), "lastPaymentAmount", align=RIGHT,
            width=90, export=_raw("lastPaymentAmount")),
        col("paymentFailureCount", "Failures", _number("paymentFailureCount"), "paymentFailureCount",
            align=RIGHT, width=70),
    ],
    filters=[FilterSpec("tier", "Tier", choices=_choices(TIERS)),
             FilterSpec("status", "Status", choices=_choices(MEMBERSHIP_STATUSES)),
             FilterSpec("expiringWithinDays", "Expiring within", kind="days")],
)

ACTIVITY = TableSpec(
    name="activity", title="Activity", noun="entry", plural="entries", open_kind=None,
    columns=[
        col("timestamp", "When", lambda r: fmt.uk_datetime(r.get("timestamp")), "timestamp", width=150,
            export=_raw("timestamp")),
        col("performedBy", "Who", _get("performedBy"), "performedBy", width=130),
        col("action", "Action", _word("action"), "action", width=110, export=_raw("action")),
        col("entityType", "Record", _word("entityType"), "entityType", width=115, export=_raw("entityType")),
        col("reason", "Reason", _get("reason"), None, width=260, tooltip=True),
        col("changedFields", "Changes", lambda r: _changes(r.get("changedFields")), None, width=320,
            tooltip=True, export=_raw("changedFields")),
        col("entityId", "Record id", _get("entityId"), "entityId", width=150),
    ],
    filters=[FilterSpec("entityType", "Record", choices=_choices(ENTITY_TYPES)),
             FilterSpec("action", "Action", choices=_choices(ACTIONS))],
)

TABLES = {t.name: t for t in (CONTACTS, PROPERTIES, ENQUIRIES, MEMBERSHIPS, ACTIVITY)}


def _changes(raw: Any) -> str:
    """'status: new → booked; priority: – → high' from the JSON diff of an audit entry."""
    if not raw:
        return ""
    import json

    try:
        changes = json.loads(raw)
    except ValueError:
        return str(raw)
    if not isinstance(changes, dict):
        return str(raw)
    parts = []
    for name, change in changes.items():
        if isinstance(change, dict) and ("before" in change or "after" in change):
            before = "–" if change.get("before") is None else change.get("before")
            after = "–" if change.get("after") is None else change.get("after")
            parts.append(f"{name}: {before} → {after}")
        else:
            parts.append(f"{name}: {change}")
    return "; ".join(parts)
