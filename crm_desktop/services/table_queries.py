"""SQL for the big list tables (contacts, properties, enquiries, memberships, activity): the ordered
keys of a filtered, sorted table, and the rows for a page of those keys.

Why keys: the window must open and scroll a million contacts. It first shows the count and the
first page (count_rows + fetch_page: milliseconds on an index), then holds the ordered keys of the
whole result (see KeyList, read in the background) and asks for rows a page at a time, so a jump to
row 900,000 is one indexed lookup of 100 keys rather than an OFFSET that walks 900,000 rows, and
re-sorting by an unindexed column sorts once rather than once per page. On SQLite the key is the integer `rowid`
(8 bytes a row in an array: 8 MB for a million); elsewhere it is the row's `id` (UUIDs packed into
16 bytes each). Filters, search and sort columns come from whitelists, never from user text.
"""

from __future__ import annotations

import uuid
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, literal_column, or_, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import ColumnElement, FromClause, visitors

from crm_desktop.db.models import ActivityLog, Contact, Enquiry, Membership, Property, Staff
from crm_desktop.search.contacts_index import contact_search_clause
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.listing import like_pattern, unsearchable
from crm_desktop.services.validation import FieldError, day
from crm_desktop.timeutil import utcnow

PAGE_SIZE = 100
_IN_CHUNK = 500  # keys per IN (...) list when reading many rows


@dataclass(frozen=True)
class TableQuery:
    """What the user asked for: whitelisted filters, free-text search, one sort key."""

    filters: dict[str, Any] = field(default_factory=dict)
    search: str = ""
    sort: str | None = None
    descending: bool = False


@dataclass(frozen=True)
class TableDef:
    """One list table: the row's fields, the sort keys, the filters and the searched columns."""

    name: str
    entity: str  # the ChangeBus / audit entity name
    base: Any  # the mapped class whose rows are listed
    joins: tuple[tuple[Any, ColumnElement], ...]  # (aliased class, ON clause): LEFT JOINs for the fields
    fields: dict[str, ColumnElement]
    sorts: dict[str, tuple[ColumnElement, ...]]
    filters: dict[str, Callable[[Any], ColumnElement]]
    search: tuple[ColumnElement, ...]
    default_sort: str
    default_descending: bool = False
    # A dialect-aware search (e.g. the contacts' full-text index) used instead of LIKE over `search`.
    search_clause: Callable[[str, str], ColumnElement | None] | None = None

    @property
    def source(self) -> FromClause:
        """The base table with every join (for reading whole rows)."""
        return self.source_for(None)

    def source_for(self, clauses: Sequence[ColumnElement] | None) -> FromClause:
        """The base table with only the joins that `clauses` use (every join for None).

        Counting 2,000,000 enquiries should not look up their property, owner and staff member:
        SQLite keeps unused LEFT JOINs under count(*).
        """
        source: FromClause = self.base.__table__
        used = None if clauses is None else _tables_used(clauses)
        for alias, on in self.joins:
            if used is None or _name(sa_inspect(alias).selectable) in used:
                source = source.outerjoin(alias, on)
        return source


def _tables_used(clauses: Sequence[ColumnElement]) -> set[str]:
    """Names of the tables and aliases whose columns appear in the clauses."""
    names: set[str] = set()
    for clause in clauses:
        for element in visitors.iterate(clause):
            table = getattr(element, "table", None)
            if table is not None:
                names.add(_name(table))
    return names


def _name(selectable: Any) -> str:
    """Tables and aliases by name (annotated copies of an alias are different objects)."""
    return str(getattr(selectable, "name", ""))


class KeyList(Sequence):
    """The ordered keys of a result, stored compactly (ints in an array, UUIDs as 16 raw bytes)."""

    def __init__(self, ints: array | None = None, packed: bytes | None = None,
                 strings: list[str] | None = None) -> None:
        self._ints, self._packed, self._strings = ints, packed, strings

    @classmethod
    def from_ids(cls, ids: list[str]) -> KeyList:
        try:
            packed = b"".join(uuid.UUID(i).bytes for i in ids)
        except ValueError:
            return cls(strings=ids)
        if any(str(uuid.UUID(bytes=packed[n * 16:n * 16 + 16])) != i for n, i in enumerate(ids[:50])):
            return cls(strings=ids)  # not in canonical form: keep the text as it is
        return cls(packed=packed)

    def __len__(self) -> int:
        if self._ints is not None:
            return len(self._ints)
        if self._packed is not None:
            return len(self._packed) // 16
        return len(self._strings or [])

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if self._ints is not None:
            return self._ints[index]
        if self._packed is not None:
            if index < 0:
                index += len(self)
            if not 0 <= index < len(self):
                raise IndexError(index)
            return str(uuid.UUID(bytes=self._packed[index * 16:index * 16 + 16]))
        return (self._strings or [])[index]

    def position(self, key: Any) -> int:
        """Where a key is (ValueError if absent); a C-speed scan, for re-finding a few selected rows."""
        if self._ints is not None:
            return self._ints.index(key)
        if self._packed is not None:
            raw = uuid.UUID(str(key)).bytes
            at = self._packed.find(raw)
            while at != -1 and at % 16:
                at = self._packed.find(raw, at + 1)
            if at == -1:
                raise ValueError(key)
            return at // 16
        return (self._strings or []).index(key)

    @property
    def nbytes(self) -> int:
        if self._ints is not None:
            return self._ints.itemsize * len(self._ints)
        if self._packed is not None:
            return len(self._packed)
        return sum(len(s) + 49 for s in self._strings or [])


def key_column(table: TableDef, session: Session) -> ColumnElement:
    if session.get_bind().dialect.name == "sqlite":
        return literal_column(f'"{table.base.__tablename__}".rowid')
    return table.base.id


def _words_match(columns: Sequence[ColumnElement], text: str) -> ColumnElement | None:
    """Every word must appear in one of the columns ('ada love' finds Ada Lovelace).

    ILIKE on PostgreSQL; SQLite renders it as lower(col) LIKE lower(pattern), ASCII case-folding on both.
    """
    words = [w for w in text.split() if w]
    if not words:
        return None
    return and_(*[or_(*[c.ilike(like_pattern(w), escape="\\") for c in columns]) for w in words])


def _where(table: TableDef, query: TableQuery, dialect: str) -> list[ColumnElement]:
    clauses: list[ColumnElement] = []
    if unsearchable(query.search or ""):  # NUL / broken unicode: PostgreSQL fails, SQLite matches all
        raise ValidationError({"search": "contains characters that cannot be searched for"})
    for key, value in query.filters.items():
        if value is None or value == "":
            continue
        if isinstance(value, str) and unsearchable(value):
            raise ValidationError({key: "contains characters that cannot be searched for"})
        build = table.filters.get(key)
        if build is None:
            raise ValidationError({key: f"is not a filter for {table.name}"})
        clauses.append(build(value))
    if table.search_clause is not None:
        searched = table.search_clause(dialect, query.search or "")
    else:
        searched = _words_match(table.search, query.search or "")
    if searched is not None:
        clauses.append(searched)
    return clauses


def _order(table: TableDef, query: TableQuery, session: Session) -> list[ColumnElement]:
    key = query.sort or table.default_sort
    if key not in table.sorts:
        raise ValidationError({"sort": f"cannot sort {table.name} by '{key}'"})
    descending = query.descending if query.sort else table.default_descending
    # Ties broken by the key: on SQLite the rowid, which every index holds, so a sort that follows an
    # index stays an index-only scan (tying on `id` made SQLite visit the table for 2M enquiries).
    exprs = [*table.sorts[key], key_column(table, session)]
    return [e.desc() if descending else e.asc() for e in exprs]


def keys_statement(table: TableDef, query: TableQuery, session: Session) -> Select:
    where = _where(table, query, session.get_bind().dialect.name)
    order = _order(table, query, session)
    return (select(key_column(table, session)).select_from(table.source_for([*where, *order]))
            .where(*where).order_by(*order))


def count_rows(session: Session, table: TableDef, query: TableQuery) -> int:
    """How many rows match (no ORDER BY: the cheapest index answers)."""
    dialect = session.get_bind().dialect.name
    where = _where(table, query, dialect)
    stmt = select(func.count()).select_from(table.source_for(where)).where(*where)
    return int(session.scalar(stmt) or 0)


def fetch_page(session: Session, table: TableDef, query: TableQuery, offset: int,
               limit: int = PAGE_SIZE) -> list[dict[str, Any] | None]:
    """One page by position, for before the key list has arrived: the page's keys by OFFSET over
    the (often covering) sort index, then its rows by key."""
    keys = [r[0] for r in session.execute(keys_statement(table, query, session).offset(offset).limit(limit))]
    return fetch_rows(session, table, keys)


def fetch_keys(session: Session, table: TableDef, query: TableQuery) -> KeyList:
    """All keys of the filtered table in display order (fetched straight off the driver cursor)."""
    stmt = keys_statement(table, query, session)
    result = session.connection().execute(stmt)
    # The raw DBAPI cursor: SQLAlchemy's per-row processing would cost 4x more for a million keys.
    cursor = result.cursor
    try:
        if session.get_bind().dialect.name == "sqlite":
            ints = array("q")
            while chunk := cursor.fetchmany(10_000):
                ints.extend(r[0] for r in chunk)
            return KeyList(ints=ints)
        return KeyList.from_ids([str(r[0]) for r in cursor.fetchall()])
    finally:
        result.close()


def fetch_rows(session: Session, table: TableDef, keys: Sequence[Any]) -> list[dict[str, Any] | None]:
    """The rows for these keys, in the same order (None for a row deleted since the keys were read)."""
    if not keys:
        return []
    key = key_column(table, session)
    cols = [key.label("_key"), *(expr.label(name) for name, expr in table.fields.items())]
    found: dict[Any, dict[str, Any]] = {}
    for start in range(0, len(keys), _IN_CHUNK):
        chunk = list(keys[start:start + _IN_CHUNK])
        stmt = select(*cols).select_from(table.source).where(key.in_(chunk))
        for row in session.execute(stmt).mappings():
            found[row["_key"]] = {name: row[name] for name in table.fields}
    return [found.get(k) for k in keys]


def iter_rows(session: Session, table: TableDef, query: TableQuery, batch: int = 2000) -> Iterator[dict]:
    """Every row of the filtered, sorted table, streamed (for "export all")."""
    cols = [expr.label(name) for name, expr in table.fields.items()]
    stmt = select(*cols).select_from(table.source).where(*_where(table, query, session.get_bind().dialect.name)).order_by(*_order(table, query, session))
    result = session.execute(stmt.execution_options(yield_per=batch))
    for row in result.mappings():
        yield dict(row)


# ---- the tables ---------------------------------------------------------------------------------------


def _eq(column: ColumnElement) -> Callable[[Any], ColumnElement]:
    return lambda value: column == value


def _person_match(alias: Any, text: str) -> ColumnElement:
    """A person (owner/contact) by part of their name or email, for the 'owner' filters."""
    found = _words_match((alias.firstName, alias.lastName, alias.email, alias.businessName), text)
    return found if found is not None else literal_column("1") == 1


def _day(value: Any, label: str) -> str:
    try:
        text = day(value)
    except FieldError as exc:
        raise ValidationError({label: str(exc)}) from exc
    assert text is not None
    return text


def _expiring_within(value: Any, today: date | None = None) -> ColumnElement:
    try:
        days = int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"expiring within": "must be a whole number of days"}) from exc
    if days < 0:
        raise ValidationError({"expiring within": "must be zero or more days"})
    today = today or utcnow().date()
    horizon = today + timedelta(days=days + 1)
    return and_(Membership.endDate >= today.isoformat(), Membership.endDate < horizon.isoformat(),
                Membership.status.in_(("active", "expiring_soon")))


def _contacts() -> TableDef:
    c = Contact
    return TableDef(
        name="contacts", entity="contact", base=c, joins=(),
        fields={"id": c.id, "firstName": c.firstName, "lastName": c.lastName, "email": c.email,
                "phone": c.phone, "type": c.type, "status": c.status, "city": c.city,
                "businessName": c.businessName, "createdAt": c.createdAt, "lastContactedAt": c.lastContactedAt},
        sorts={"name": (c.lastName, c.firstName), "email": (c.email,), "phone": (c.phone,), "type": (c.type,),
               "status": (c.status,), "city": (c.city,), "businessName": (c.businessName,),
               "createdAt": (c.createdAt,), "lastContactedAt": (c.lastContactedAt,)},
        filters={"type": _eq(c.type), "status": _eq(c.status)},
        search=(c.firstName, c.lastName, c.email, c.phone, c.businessName),
        default_sort="name", search_clause=contact_search_clause,
    )


def _properties() -> TableDef:
    p, owner = Property, aliased(Contact, name="owner")
    return TableDef(
        name="properties", entity="property", base=p,
        joins=((owner, owner.id == p.ownerId),),
        fields={"id": p.id, "title": p.title, "location": p.location, "ownerId": p.ownerId,
                "ownerFirstName": owner.firstName, "ownerLastName": owner.lastName, "ownerEmail": owner.email,
                "listingStatus": p.listingStatus, "membershipTier": p.membershipTier,
                "pricePerNight": p.pricePerNight, "bedrooms": p.bedrooms, "maxGuests": p.maxGuests,
                "viewCount": p.viewCount, "enquiryCount": p.enquiryCount, "bookingCount": p.bookingCount,
                "totalRevenue": p.totalRevenue, "createdAt": p.createdAt},
        sorts={"title": (p.title,), "location": (p.location,), "owner": (owner.lastName, owner.firstName),
               "listingStatus": (p.listingStatus,), "membershipTier": (p.membershipTier,),
               "pricePerNight": (p.pricePerNight,), "bedrooms": (p.bedrooms,), "maxGuests": (p.maxGuests,),
               "viewCount": (p.viewCount,), "enquiryCount": (p.enquiryCount,), "bookingCount": (p.bookingCount,),
               "totalRevenue": (p.totalRevenue,), "createdAt": (p.createdAt,)},
        filters={"owner": lambda v: _person_match(owner, str(v)), "ownerId": _eq(p.ownerId),
                 "status": _eq(p.listingStatus), "tier": _eq(p.membershipTier)},
        search=(p.title, p.location, owner.email, owner.lastName, owner.firstName),
        default_sort="title",
    )


def _enquiries() -> TableDef:
    e, prop = Enquiry, aliased(Property, name="prop")
    owner, staff = aliased(Contact, name="owner"), aliased(Staff, name="staff")
    return TableDef(
        name="enquiries", entity="enquiry", base=e,
        joins=((prop, prop.id == e.propertyId), (owner, owner.id == e.ownerId),
               (staff, staff.id == e.assignedToAdminId)),
        fields={"id": e.id, "createdAt": e.createdAt, "guestName": e.guestName, "guestEmail": e.guestEmail,
                "contactId": e.contactId, "propertyId": e.propertyId, "propertyTitle": prop.title,
                "ownerFirstName": owner.firstName, "ownerLastName": owner.lastName, "status": e.status,
                "priority": e.priority, "eventType": e.eventType, "eventDate": e.eventDate,
                "estimatedGuests": e.estimatedGuests, "estimatedBudget": e.estimatedBudget,
                "bookingValue": e.bookingValue, "assignedTo": staff.name, "source": e.source},
        sorts={"createdAt": (e.createdAt,), "guestName": (e.guestName,), "guestEmail": (e.guestEmail,),
               "property": (prop.title,), "owner": (owner.lastName, owner.firstName), "status": (e.status,),
               "priority": (e.priority,), "eventType": (e.eventType,), "eventDate": (e.eventDate,),
               "estimatedGuests": (e.estimatedGuests,), "estimatedBudget": (e.estimatedBudget,),
               "bookingValue": (e.bookingValue,), "assignedTo": (staff.name,), "source": (e.source,)},
        filters={"status": _eq(e.status), "priority": _eq(e.priority), "ownerId": _eq(e.ownerId),
                 "owner": lambda v: _person_match(owner, str(v)), "assignedTo": _eq(e.assignedToAdminId),
                 "contactId": _eq(e.contactId), "propertyId": _eq(e.propertyId),
                 "createdFrom": lambda v: e.createdAt >= _day(v, "from"),
                 "createdTo": lambda v: e.createdAt < _day(v, "to") + "T99"},  # the whole last day
        search=(e.guestName, e.guestEmail, e.eventType, prop.title),
        default_sort="createdAt", default_descending=True,
    )


def _memberships() -> TableDef:
    m, contact, prop = Membership, aliased(Contact, name="member"), aliased(Property, name="prop")
    return TableDef(
        name="memberships", entity="membership", base=m,
        joins=((contact, contact.id == m.contactId), (prop, prop.id == m.propertyId)),
        fields={"id": m.id, "contactId": m.contactId, "firstName": contact.firstName,
                "lastName": contact.lastName, "email": func.coalesce(contact.email, m.customerEmail),
                "propertyTitle": prop.title, "planTier": m.planTier, "planPrice": m.planPrice,
                "billingCycle": m.billingCycle, "status": m.status, "startDate": m.startDate,
                "endDate": m.endDate, "renewalDate": m.renewalDate, "lastPaymentDate": m.lastPaymentDate,
                "lastPaymentAmount": m.lastPaymentAmount, "paymentFailureCount": m.paymentFailureCount,
                "autoRenew": m.autoRenew},
        sorts={"member": (contact.lastName, contact.firstName), "email": (contact.email,),
               "property": (prop.title,), "planTier": (m.planTier,), "planPrice": (m.planPrice,),
               "billingCycle": (m.billingCycle,), "status": (m.status,), "startDate": (m.startDate,),
               "endDate": (m.endDate,), "renewalDate": (m.renewalDate,), "lastPaymentDate": (m.lastPaymentDate,),
               "lastPaymentAmount": (m.lastPaymentAmount,), "paymentFailureCount": (m.paymentFailureCount,)},
        filters={"tier": _eq(m.planTier), "status": _eq(m.status), "contactId": _eq(m.contactId),
                 "expiringWithinDays": _expiring_within},
        search=(contact.firstName, contact.lastName, contact.email, m.customerEmail, prop.title,
                m.stripeSubscriptionId),
        default_sort="endDate",
    )


def _activity() -> TableDef:
    a = ActivityLog
    return TableDef(
        name="activity", entity="activity", base=a, joins=(),
        fields={"id": a.id, "timestamp": a.timestamp, "entityType": a.entityType, "entityId": a.entityId,
                "action": a.action, "performedBy": a.performedBy, "reason": a.reason,
                "changedFields": a.changedFields},
        sorts={"timestamp": (a.timestamp,), "entityType": (a.entityType,), "action": (a.action,),
               "performedBy": (a.performedBy,), "entityId": (a.entityId,)},
        filters={"entityType": _eq(a.entityType), "action": _eq(a.action), "performedBy": _eq(a.performedBy)},
        search=(a.entityId, a.performedBy, a.reason, a.changedFields),
        default_sort="timestamp", default_descending=True,
    )


def _build() -> dict[str, TableDef]:
    return {t.name: t for t in (_contacts(), _properties(), _enquiries(), _memberships(), _activity())}


_TABLES: dict[str, TableDef] = {}


def table(name: str) -> TableDef:
    """The definition of a list table by name (built on first use, not at import)."""
    if not _TABLES:
        _TABLES.update(_build())
    return _TABLES[name]


def staff_choices(session: Session) -> list[tuple[str, str]]:
    """(id, name) of active staff, for the "assigned to" filter."""
    rows = session.execute(select(Staff.id, Staff.name).where(Staff.active.is_(True)).order_by(Staff.name))
    return [(r.id, r.name) for r in rows]
