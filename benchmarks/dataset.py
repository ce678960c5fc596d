"""The benchmark data set: row generators for the CRM tables and the platform tables.

Deterministic (a fixed seed), plain tuples (no ORM), and consistent across both sides: CRM contacts
carry the platform user ids, CRM enquiries the platform enquiry ids, and so on, as a sync would
leave them. Ids are uuid-shaped and scattered (a bijective scramble of the row number), so index
inserts land all over the b-tree, as real uuid4 keys do.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

FULL = {"contacts": 1_000_000, "properties": 100_000, "enquiries": 2_000_000, "interactions": 4_000_000}
EPOCH = datetime(2022, 1, 1, tzinfo=timezone.utc)
SPAN_DAYS = 4 * 365  # rows are spread over four years up to the end of 2025

FIRST = ("Olivia Amelia Isla Ava Mia Ivy Lily Isabella Rosie Sophia Grace Freya Willow Florence Emily Ella "
         "Poppy Evie Elsie Charlotte Noah Muhammad Oliver George Leo Arthur Oscar Harry Theodore Jack Henry "
         "Charlie Freddie Alfie Thomas Jacob William Archie Joshua James Ethan Samuel Isaac Joseph Lucas "
         "Aisha Priya Chen Wei Siobhan Niamh Ciaran Rhys Gareth Bronwen Fatima Yusuf Zara Hannah Megan").split()
LAST = ("Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson Thompson "
        "Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson Wood Turner Martin "
        "Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan Allen James Scott Phillips Watson "
        "Davis Parker Price Bennett Young Griffiths Mitchell Kelly Cook Carter Richardson Bailey Collins Bell "
        "Shaw Murphy Miller Cox Richards Khan Marshall Anderson Simpson Ellis Adams Singh Begum Wilkinson "
        "Foster Chapman Powell Webb Rogers Gray Mason Ali Hunt Hussain Campbell Matthews Owen Palmer Holmes "
        "Mills Barnes Knight Lloyd Butler Russell Barker Fisher Stevens Jenkins Murray Dixon Harvey Graham "
        "Pearson Ahmed Fletcher Walsh Kaur Gibson Howard Andrews Stewart Elliott Reynolds Saunders Payne "
        "Fox Ford Pearce Day Brooks West Lawrence Cole Atkinson Bradley Spencer Gill Dawson Ball Burton "
        "O'Brien Watts Rose Booth Perry Ryan Grant Wells Armstrong Francis Rees Hayes Hart Hudson Newman "
        "Barrett Webster Hunter Gregory Carr Lowe Page Marsh Riley Dunn Woods Parsons Berry Stone Reid "
        "Holland Hawkins Harding Porter Robertson Newton Oliver Reed Kennedy Williamson Bird Gardner Shah "
        "Dean Lane Cooke Bates Henderson Parry Burgess Bishop Walton Burns Nicholson Shepherd Ross Cross "
        "Long Freeman Warren Nicholls Hamilton Byrne Sutton McDonald Yates Hodgson Robson Curtis Hopkins "
        "O'Connor Harper Coleman Watkins Moss McCarthy Chambers O'Neill Griffin Sharp Hardy Wheeler Potter "
        "Osborne Johnston Gordon Doyle Wallace George Jordan Hutchinson Rowe Burke May Pritchard Gilbert "
        "Willis Higgins Read Miles Stevenson Stephenson Hammond Arnold Buckley Walters Hewitt Barber "
        "Nelson Slater Austin Sullivan Whitehead Mann Frost Lambert Stephens Blake Akhtar Lynch Goodwin "
        "Barton Woodward Thomson Cunningham Quinn Barnett Baxter Bibi Clayton Nash Greenwood Jennings "
        "Holt Kemp Poole Gallagher Bond Stokes Tucker Davidson Fowler Heath Norman Middleton Lee Banks "
        "Featherstonehaugh Thornbury Ashworth Winterbottom Entwistle Cholmondeley Pennington").split()
DOMAINS = ("gmail.com", "outlook.com", "yahoo.co.uk", "hotmail.co.uk", "icloud.com", "btinternet.com",
           "sky.com", "example.org")
PLACES = ("Cotswolds", "Lake District", "Cornwall", "Devon", "Peak District", "Yorkshire Dales",
          "Norfolk", "Brighton", "Bath", "Snowdonia", "Northumberland", "Edinburgh", "New Forest")
HOUSES = ("Manor", "Hall", "Barn", "Lodge", "Court", "House", "Castle", "Farmhouse", "Retreat", "Estate")
BUSINESS = ("Holidays", "Stays", "Lettings", "Estates", "Escapes", "Properties", "Retreats")
OCCASIONS = ("birthday", "hen party", "stag party", "wedding", "corporate", "family reunion", "christmas")
ENQ_STATUS = ("new", "contacted", "negotiating", "booked", "lost", "spam")
ENQ_STATUS_W = (30, 25, 15, 12, 15, 3)
TIERS = ("bronze", "silver", "gold")
TIER_PRICE = {"bronze": 450, "silver": 650, "gold": 850}
LISTING = ("live", "live", "live", "live", "paused", "expired", "draft", "pending_approval")


def uid(kind: int, i: int) -> str:
    """A uuid-shaped id, unique per (kind, i), scattered like uuid4 (multiplication by an odd constant
    modulo 2**64 is a bijection)."""
    h = (i * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019) & 0xFFFFFFFFFFFFFFFF
    return f"{h >> 32:08x}-{(h >> 16) & 0xFFFF:04x}-4{h & 0xFFF:03x}-{8 | (kind & 3):x}{kind:03x}-{i:012x}"


def iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.000Z")


@dataclass(frozen=True)
class Sizes:
    contacts: int
    properties: int
    enquiries: int
    interactions: int

    @property
    def owners(self) -> int:
        """Owners are contacts too: one per 2.5 properties (some own several houses)."""
        return max(1, min(self.contacts // 2, self.properties * 2 // 5))

    @classmethod
    def at(cls, scale: float) -> Sizes:
        return cls(**{k: max(10, int(v * scale)) for k, v in FULL.items()})


class DataSet:
    """Row generators; each yields tuples in the order of its COLUMNS list."""

    CONTACT_COLS = ("id", "type", "firstName", "lastName", "email", "phone", "city", "country", "businessName",
                    "status", "createdAt", "updatedAt", "lastContactedAt", "userId", "version")
    PROPERTY_COLS = ("id", "ownerId", "propertyId", "platformOwnerId", "title", "location", "bedrooms",
                     "bathrooms", "maxGuests", "pricePerNight", "listingStatus", "membershipTier", "viewCount",
                     "enquiryCount", "bookingCount", "totalRevenue", "createdAt", "updatedAt", "publishedAt",
                     "version")
    ENQUIRY_COLS = ("id", "contactId", "ownerId", "propertyId", "platformEnquiryId", "platformPropertyId",
                    "status", "eventType", "eventDate", "estimatedGuests", "estimatedBudget", "message",
                    "guestEmail", "guestName", "createdAt", "lastUpdatedAt", "convertedToBooking",
                    "bookingValue", "priority", "source", "version")
    INTERACTION_COLS = ("id", "contactId", "relatedPropertyId", "relatedEnquiryId", "type", "subject", "content",
                        "direction", "initiatedBy", "createdAt", "externalKey")
    MEMBERSHIP_COLS = ("id", "contactId", "propertyId", "planTier", "planPrice", "billingCycle", "startDate",
                       "endDate", "renewalDate", "status", "platformSubscriptionId", "platformUserId",
                       "autoRenew", "paymentFailureCount", "createdAt", "updatedAt", "version")

    def __init__(self, sizes: Sizes, seed: int = 7) -> None:
        self.n = sizes
        self.seed = seed

    def _rng(self, salt: int) -> random.Random:
        return random.Random(self.seed * 1000 + salt)

    @staticmethod
    def _when(rng: random.Random) -> datetime:
        return EPOCH + timedelta(seconds=rng.randrange(SPAN_DAYS * 86400))

    # -- people -------------------------------------------------------------------------------------
    def person(self, i: int) -> tuple[str, str, str, str]:
        """(first, last, email, phone) of contact i; derived from i alone, so both sides agree."""
        first = FIRST[(i * 7919) % len(FIRST)]
        last = LAST[(i * 104729 // 7) % len(LAST)]
        email = f"{first.lower()}.{last.lower().replace(' ', '')}{i}@{DOMAINS[i % len(DOMAINS)]}"
        phone = f"07{(i * 2654435761) % 1_000_000_000:09d}"
        return first, last, email, phone

    def contacts(self) -> Iterator[tuple]:
        rng = self._rng(1)
        owners = self.n.owners
        for i in range(self.n.contacts):
            first, last, email, phone = self.person(i)
            owner = i < owners
            t = self._when(rng)
            business = f"{last} {HOUSES[i % len(HOUSES)]} {BUSINESS[i % len(BUSINESS)]}" if owner else None
            yield (uid(1, i), "owner" if owner else "guest", first, last, email, phone,
                   PLACES[i % len(PLACES)], "United Kingdom", business,
                   "active" if rng.random() < 0.95 else "inactive", iso(t), iso(t),
                   iso(t + timedelta(days=rng.randrange(200))) if rng.random() < 0.6 else None,
                   f"u{i}", 1)

    def property_owner(self, p: int) -> int:
        return (p * 40503) % self.n.owners

    def property_tier(self, p: int) -> str:
        return TIERS[(p * 31) % 3]

    def properties(self) -> Iterator[tuple]:
        rng = self._rng(2)
        for p in range(self.n.properties):
            o = self.property_owner(p)
            t = self._when(rng)
            tier = self.property_tier(p)
            bookings = rng.randrange(12)
            yield (uid(2, p), uid(1, o), str(p + 1), f"u{o}",
                   f"{LAST[p % len(LAST)]} {HOUSES[p % len(HOUSES)]} {p + 1}", PLACES[p % len(PLACES)],
                   rng.randrange(3, 15), rng.randrange(1, 8), rng.randrange(8, 40),
                   round(rng.uniform(150, 2500), 2), LISTING[p % len(LISTING)], tier, rng.randrange(20000),
                   20, bookings, round(bookings * rng.uniform(800, 4000), 2), iso(t), iso(t), iso(t), 1)

    def enquiry_property(self, e: int) -> int | None:
        """Which property enquiry e is about (one in ten is a general enquiry)."""
        return None if e % 10 == 9 else (e * 7727) % self.n.properties

    def enquiry_guest(self, e: int) -> int:
        owners = self.n.owners
        return owners + (e * 15485863) % (self.n.contacts - owners)

    def enquiries(self) -> Iterator[tuple]:
        rng = self._rng(3)
        for e in range(self.n.enquiries):
            p = self.enquiry_property(e)
            g = self.enquiry_guest(e)
            first, last, email, _ = self.person(g)
            t = self._when(rng)
            status = rng.choices(ENQ_STATUS, ENQ_STATUS_W)[0]
            booked = status == "booked"
            yield (uid(3, e), uid(1, g), None if p is None else uid(1, self.property_owner(p)),
                   None if p is None else uid(2, p), str(e + 1), None if p is None else str(p + 1),
                   status, OCCASIONS[e % len(OCCASIONS)], (t + timedelta(days=rng.randrange(30, 300))).strftime(
                       "%Y-%m-%d"), rng.randrange(6, 30), round(rng.uniform(500, 9000), 2),
                   "Hello, is the house free for our group?", email, f"{first} {last}", iso(t), iso(t),
                   1 if booked else 0, round(rng.uniform(800, 9000), 2) if booked else None,
                   ("low", "medium", "high")[e % 3], "website", 1)

    def interactions(self) -> Iterator[tuple]:
        """One inbound message per enquiry (as the sync makes), then staff emails, calls and notes."""
        rng = self._rng(4)
        n_enq = self.n.enquiries
        for k in range(self.n.interactions):
            e = k % n_enq
            p = self.enquiry_property(e)
            t = self._when(rng)
            if k < n_enq:
                kind, direction, by, key = "message", "inbound", "contact", f"platform:enquiry:{e + 1}"
            else:
                kind = ("email", "phone", "note")[k % 3]
                direction, by, key = ("outbound", "internal")[kind == "note"], "admin", None
            yield (uid(4, k), uid(1, self.enquiry_guest(e)), None if p is None else uid(2, p), uid(3, e),
                   kind, f"Re: enquiry {e + 1}", "Thanks for getting in touch about the house.", direction, by,
                   iso(t), key)

    def memberships(self) -> Iterator[tuple]:
        rng = self._rng(5)
        for p in range(self.n.properties):
            tier = self.property_tier(p)
            start = self._when(rng)
            end = start + timedelta(days=365)
            status = "active" if end > datetime(2025, 12, 1, tzinfo=timezone.utc) else "expired"
            yield (uid(5, p), uid(1, self.property_owner(p)), uid(2, p), tier, TIER_PRICE[tier], "annual",
                   start.strftime("%Y-%m-%d"), end.strftime("%Y-%m-%d"), end.strftime("%Y-%m-%d"), status,
                   str(p + 1), f"u{self.property_owner(p)}", 1, 0, iso(start), iso(start), 1)
