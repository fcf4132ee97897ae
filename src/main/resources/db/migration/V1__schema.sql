-- The service's state. Everything lives here so that replicas share it (DESIGN.md §4).

-- Attribute mappings: one direction per attribute, never both.
CREATE TABLE attribute_mapping (
    id                 BIGSERIAL PRIMARY KEY,
    object_type        TEXT        NOT NULL CHECK (object_type IN ('LEAD', 'CONTACT')),
    intercom_attribute TEXT        NOT NULL,
    salesforce_field   TEXT        NOT NULL,
    direction          TEXT        NOT NULL CHECK (direction IN ('SALESFORCE_TO_INTERCOM', 'INTERCOM_TO_SALESFORCE')),
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at         TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX attribute_mapping_intercom_once ON attribute_mapping (object_type, intercom_attribute);
CREATE UNIQUE INDEX attribute_mapping_salesforce_once ON attribute_mapping (object_type, lower(salesforce_field));

-- Operator settings (thresholds, allocation, installer e-mail …) as key/value.
CREATE TABLE setting (
    key        TEXT PRIMARY KEY,
    value      TEXT        NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- A pair of records in common, linked once and found again by link.
CREATE TABLE record_link (
    object_type      TEXT        NOT NULL CHECK (object_type IN ('LEAD', 'CONTACT')),
    salesforce_id    CHAR(18)    NOT NULL,
    intercom_id      TEXT        NOT NULL,
    linked_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_synced_at   TIMESTAMPTZ,
    -- digest of the contact's Intercom values mapped to Salesforce as last synced or written:
    -- a notification with the same digest is an echo and needs no Salesforce read
    intercom_state   TEXT,
    PRIMARY KEY (salesforce_id),
    UNIQUE (intercom_id)
);

-- How far each poll has got: it moves only past records that were handled.
CREATE TABLE sync_watermark (
    name         TEXT PRIMARY KEY,
    watermark_at TIMESTAMPTZ NOT NULL,
    last_id      TEXT,
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Intercom changes accepted (webhook or poll) and not yet written to Salesforce: nothing is lost
-- while event sync is paused or a replica dies mid-batch.
CREATE TABLE intercom_change (
    id           BIGSERIAL PRIMARY KEY,
    intercom_id  TEXT        NOT NULL,
    role         TEXT,
    source       TEXT        NOT NULL CHECK (source IN ('WEBHOOK', 'POLL', 'RETRY')),
    notification_id TEXT,
    contact      JSONB       NOT NULL,
    received_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    claimed_by   TEXT,
    claimed_at   TIMESTAMPTZ
);
CREATE UNIQUE INDEX intercom_change_notification_once ON intercom_change (notification_id) WHERE notification_id IS NOT NULL;
CREATE INDEX intercom_change_unclaimed ON intercom_change (received_at) WHERE claimed_by IS NULL;

-- Manual bulk sync runs; the partial unique index is the cluster-wide "one run at a time" lock.
CREATE TABLE bulk_run (
    id                  BIGSERIAL PRIMARY KEY,
    status              TEXT        NOT NULL CHECK (status IN ('STAGING', 'DIFFING', 'WRITING', 'WAITING_FOR_CAPACITY',
                                                           'COMPLETED', 'STOPPED', 'FAILED', 'INTERRUPTED')),
    active              BOOLEAN     NOT NULL DEFAULT TRUE,
    started_by          TEXT        NOT NULL,
    mapping_set         JSONB       NOT NULL,
    owner_replica       TEXT,
    lease_until         TIMESTAMPTZ,
    stop_requested      BOOLEAN     NOT NULL DEFAULT FALSE,
    stop_reason         TEXT,
    started_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at         TIMESTAMPTZ,
    total               BIGINT      NOT NULL DEFAULT 0,
    processed           BIGINT      NOT NULL DEFAULT 0,
    updated_salesforce  BIGINT      NOT NULL DEFAULT 0,
    updated_intercom    BIGINT      NOT NULL DEFAULT 0,
    unchanged           BIGINT      NOT NULL DEFAULT 0,
    failed              BIGINT      NOT NULL DEFAULT 0,
    salesforce_calls    BIGINT      NOT NULL DEFAULT 0,
    intercom_requests   BIGINT      NOT NULL DEFAULT 0,
    failure_message     TEXT
);
CREATE UNIQUE INDEX bulk_run_one_active ON bulk_run (active) WHERE active;

-- Staged copies of both sides for a bulk run's diff; unlogged: they are rebuilt by every run.
CREATE UNLOGGED TABLE bulk_stage_salesforce (
    run_id        BIGINT NOT NULL,
    object_type   TEXT   NOT NULL,
    salesforce_id CHAR(18) NOT NULL,
    email_lower   TEXT,
    field_values  JSONB  NOT NULL
);
CREATE UNLOGGED TABLE bulk_stage_intercom (
    run_id       BIGINT NOT NULL,
    object_type  TEXT   NOT NULL,
    intercom_id  TEXT   NOT NULL,
    email_lower  TEXT,
    contact      JSONB  NOT NULL
);

-- Records that could not be synced after retries; one row per record and direction.
CREATE TABLE sync_error (
    id                BIGSERIAL PRIMARY KEY,
    first_occurred_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    occurred_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    sync_type         TEXT        NOT NULL CHECK (sync_type IN ('EVENT', 'BULK', 'RETRY')),
    direction         TEXT        NOT NULL CHECK (direction IN ('SALESFORCE_TO_INTERCOM', 'INTERCOM_TO_SALESFORCE')),
    object_type       TEXT        NOT NULL CHECK (object_type IN ('LEAD', 'CONTACT')),
    salesforce_id     TEXT        NOT NULL DEFAULT '',
    intercom_id       TEXT        NOT NULL DEFAULT '',
    attributes        TEXT[]      NOT NULL DEFAULT '{}',
    error_code        TEXT        NOT NULL,
    message           TEXT        NOT NULL,
    details           TEXT,
    attempts          INTEGER     NOT NULL DEFAULT 1,
    UNIQUE (direction, object_type, salesforce_id, intercom_id)
);
CREATE INDEX sync_error_listing ON sync_error (direction, occurred_at DESC);

-- Salesforce API calls this service made, counted per minute and route (the rolling 24 h sum is
-- its own consumption; the org's consumption comes from Sforce-Limit-Info and /limits).
CREATE TABLE salesforce_api_call (
    minute   TIMESTAMPTZ NOT NULL,
    route_id TEXT        NOT NULL,
    calls    BIGINT      NOT NULL,
    PRIMARY KEY (minute, route_id)
);

-- The org's consumption as last observed.
CREATE TABLE salesforce_org_usage (
    id          SMALLINT PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    used        BIGINT      NOT NULL,
    max         BIGINT      NOT NULL,
    source      TEXT        NOT NULL,
    observed_at TIMESTAMPTZ NOT NULL
);
