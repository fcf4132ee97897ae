-- The org's event delivery allocation (DailyDeliveredPlatformEvents: change events delivered to API
-- subscribers in the last 24 hours) as /limits last reported it; no row while /limits does not report it.
CREATE TABLE salesforce_event_delivery (
    id          SMALLINT PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    max         BIGINT      NOT NULL,
    remaining   BIGINT      NOT NULL,
    observed_at TIMESTAMPTZ NOT NULL
);
