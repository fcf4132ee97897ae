-- Alerts: when an alert of each kind was last sent, so that several replicas send it once per quiet
-- period (a conditional upsert decides), and when one was last held back by the quiet period.
CREATE TABLE alert_sent (
    kind         TEXT PRIMARY KEY,
    last_sent_at TIMESTAMPTZ NOT NULL,
    held_back_at TIMESTAMPTZ
);
