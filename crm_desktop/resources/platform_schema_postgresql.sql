-- PostgreSQL version of platform_schema.sql (SERIAL ids, DOUBLE PRECISION for REAL, "user" quoted).
-- The marketplace platform's own tables that the CRM reads, as the platform has them
-- (a Next.js web app, Better Auth for accounts, Drizzle over SQLite; names are snake_case).
-- The platform owns and writes these tables; the CRM only reads them. They may live in the
-- same database as the crm_* tables or in a separate one (its own URL). Columns the CRM does
-- not use are listed too: a real platform has them, and the CRM must not trip over them.
-- On PostgreSQL the same shape holds with "user" quoted (a reserved word there).
--
-- Facts the CRM must cope with, all taken from the platform as it is:
-- * user.created_at / user.updated_at are INTEGER Unix epoch SECONDS (Better Auth + Drizzle
--   mode 'timestamp'); every other *_at column is ISO-8601 TEXT in UTC from JavaScript's
--   toISOString(), e.g. '2026-02-02T10:15:00.123Z'. Some older rows have naive text
--   ('2026-02-02 10:15:00', meaning UTC).
-- * user.id is TEXT; the other tables have INTEGER autoincrement ids.
-- * updated_at comes from the web app's clock when it writes: a row can become visible a few
--   minutes after rows with a later updated_at (concurrent requests). None may be missed.
-- * emails are typed by people: compare them trimmed and case-insensitively.
-- * bookings name their property by title (property_name), not by id.
-- * role is 'guest' | 'owner' | 'admin'; older rows say 'customer' (a guest).
-- * money is pounds (GBP), DOUBLE PRECISION; membership prices are before 20% VAT.

CREATE TABLE "user" (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  email TEXT NOT NULL UNIQUE,
  email_verified INTEGER NOT NULL DEFAULT 0,
  image TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  role TEXT NOT NULL DEFAULT 'guest',
  phone TEXT,
  company_name TEXT,
  property_website TEXT,
  plan_id TEXT,                          -- 'bronze' | 'silver' | 'gold' (any case) | NULL
  payment_status TEXT DEFAULT 'pending'  -- 'pending' | 'active' | 'past_due' | 'cancelled'
);

CREATE TABLE membership_packs (
  id TEXT PRIMARY KEY,                   -- 'bronze' | 'silver' | 'gold'
  name TEXT NOT NULL,
  description TEXT,
  annual_price DOUBLE PRECISION NOT NULL,            -- 450, 650, 850
  monthly_price DOUBLE PRECISION NOT NULL,           -- 40, 57, 75
  vat_rate DOUBLE PRECISION DEFAULT 20.00,
  features TEXT NOT NULL,                -- JSON
  minimum_commitment_months INTEGER DEFAULT 12,
  display_order INTEGER,
  is_active INTEGER DEFAULT 1,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE properties (
  id SERIAL PRIMARY KEY,
  owner_id TEXT REFERENCES "user"(id),
  title TEXT NOT NULL,
  slug TEXT NOT NULL UNIQUE,
  property_type TEXT,
  location TEXT NOT NULL,
  address_line1 TEXT,
  address_line2 TEXT,
  city TEXT,
  county TEXT,
  postcode TEXT,
  country TEXT DEFAULT 'United Kingdom',
  region TEXT NOT NULL,
  sleeps_min INTEGER NOT NULL,
  sleeps_max INTEGER NOT NULL,           -- the CRM's maxGuests
  bedrooms INTEGER NOT NULL,
  bathrooms INTEGER NOT NULL,
  price_from_midweek DOUBLE PRECISION NOT NULL,      -- the CRM's pricePerNight
  price_from_weekend DOUBLE PRECISION NOT NULL,
  minimum_stay_nights INTEGER DEFAULT 1,
  description TEXT NOT NULL,
  house_rules TEXT,
  check_in_out TEXT,
  ical_url TEXT,
  hero_image TEXT NOT NULL,
  images TEXT,                           -- JSON
  map_lat DOUBLE PRECISION,
  map_lng DOUBLE PRECISION,
  amenities TEXT,                        -- JSON
  owner_contact TEXT,
  membership_pack_id TEXT REFERENCES membership_packs(id),
  payment_frequency TEXT,                -- 'annual' | 'monthly'
  status TEXT NOT NULL DEFAULT 'draft',  -- 'draft' | 'pending_approval' | 'live' | 'rejected' | 'paused' | 'expired'
  payment_status TEXT DEFAULT 'unpaid',  -- 'unpaid' | 'paid' | 'refunded' | 'failed'
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  paid_at TEXT,
  submitted_for_approval_at TEXT,
  approved_at TEXT,
  rejected_at TEXT,
  published_at TEXT,
  paused_at TEXT,
  expired_at TEXT,
  approved_by_admin_id TEXT REFERENCES "user"(id),
  rejection_reason TEXT,
  admin_notes TEXT,
  view_count INTEGER DEFAULT 0,
  enquiry_count INTEGER DEFAULT 0,
  plan TEXT,                             -- legacy
  stripe_customer_id TEXT,
  stripe_subscription_id TEXT,
  next_payment_date TEXT
);

CREATE TABLE property_subscriptions (
  id SERIAL PRIMARY KEY,
  property_id INTEGER NOT NULL REFERENCES properties(id),
  membership_pack_id TEXT NOT NULL REFERENCES membership_packs(id),
  payment_frequency TEXT NOT NULL,       -- 'annual' | 'monthly'
  base_price DOUBLE PRECISION NOT NULL,
  vat_amount DOUBLE PRECISION NOT NULL,
  total_price DOUBLE PRECISION NOT NULL,
  start_date TEXT NOT NULL,
  end_date TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'active', -- 'active' | 'expired' | 'cancelled' | 'upgraded'
  stripe_subscription_id TEXT,
  stripe_payment_intent_id TEXT,
  auto_renew INTEGER DEFAULT 1,
  cancelled_at TEXT,
  cancellation_reason TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE payments (
  id SERIAL PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES "user"(id),
  property_id INTEGER REFERENCES properties(id),
  booking_id INTEGER,
  subscription_id INTEGER,
  property_subscription_id INTEGER REFERENCES property_subscriptions(id),
  amount DOUBLE PRECISION NOT NULL,
  currency TEXT DEFAULT 'GBP',
  payment_status TEXT NOT NULL DEFAULT 'pending', -- 'pending' | 'succeeded' | 'failed' | 'refunded'
  stripe_payment_intent_id TEXT,
  stripe_charge_id TEXT,
  stripe_subscription_id TEXT,
  stripe_customer_id TEXT,
  billing_reason TEXT,                   -- 'property_membership' | 'booking_deposit' | 'booking_balance' | ...
  failure_message TEXT,
  processed_at TEXT,
  metadata TEXT,                         -- JSON
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE enquiries (
  id SERIAL PRIMARY KEY,
  first_name TEXT NOT NULL,
  last_name TEXT NOT NULL,
  email TEXT NOT NULL,
  phone TEXT,
  subject TEXT NOT NULL,
  message TEXT NOT NULL,
  enquiry_type TEXT NOT NULL DEFAULT 'general', -- 'property' | 'experience' | 'general'
  source TEXT DEFAULT 'website',
  status TEXT NOT NULL DEFAULT 'new',
  priority TEXT DEFAULT 'medium',
  assigned_to TEXT,
  property_id INTEGER REFERENCES properties(id),  -- NULL for general enquiries
  check_in_date TEXT,                    -- the event date, 'YYYY-MM-DD'
  check_out_date TEXT,
  number_of_guests INTEGER,
  occasion TEXT,                         -- 'birthday' | 'hen party' | 'wedding' | 'corporate' | ... free text
  budget DOUBLE PRECISION,
  preferred_locations TEXT,
  special_requests TEXT,
  referral_source TEXT,
  marketing_consent INTEGER DEFAULT 0,
  ip_address TEXT,
  user_agent TEXT,
  admin_notes TEXT,
  internal_notes TEXT,
  responded_at TEXT,
  responded_by TEXT,
  resolved_at TEXT,
  metadata TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE bookings (
  id SERIAL PRIMARY KEY,
  property_name TEXT NOT NULL,           -- the property's title
  property_location TEXT,
  guest_name TEXT NOT NULL,
  guest_email TEXT NOT NULL,
  guest_phone TEXT NOT NULL,
  check_in_date TEXT NOT NULL,
  check_out_date TEXT NOT NULL,
  number_of_guests INTEGER NOT NULL,
  occasion TEXT,
  booking_status TEXT NOT NULL DEFAULT 'pending', -- 'pending' | 'confirmed' | 'cancelled' | 'completed'
  total_price DOUBLE PRECISION,
  deposit_amount DOUBLE PRECISION,
  deposit_paid INTEGER DEFAULT 0,
  balance_amount DOUBLE PRECISION,
  balance_paid INTEGER DEFAULT 0,
  special_requests TEXT,
  admin_notes TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
