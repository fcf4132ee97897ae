-- Change Data Capture (Pub/Sub API): the replay id of the last change event handled per channel,
-- from which the subscription resumes (replayPreset=CUSTOM) after a restart or a failover; and the
-- lease that lets exactly one replica of the cluster hold the subscriptions.
CREATE TABLE cdc_replay (
    topic       TEXT PRIMARY KEY,
    replay_id   TEXT        NOT NULL,
    handled_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE cdc_lease (
    name        TEXT PRIMARY KEY,
    holder      TEXT        NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL
);
