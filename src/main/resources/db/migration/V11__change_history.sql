-- Every value the service wrote (docs/sync-rules.md, "Change history"): one row per record and
-- field, newest first by id. old_value is what the service knew of the target's value when it
-- computed the write (NULL when it did not know it, or the value was empty); values as text.
CREATE TABLE change_history (
    id            BIGSERIAL PRIMARY KEY,
    changed_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    sync_type     TEXT        NOT NULL CHECK (sync_type IN ('EVENT', 'BULK', 'RETRY', 'CDC')),
    direction     TEXT        NOT NULL CHECK (direction IN ('SALESFORCE_TO_INTERCOM', 'INTERCOM_TO_SALESFORCE')),
    object_type   TEXT        NOT NULL CHECK (object_type IN ('LEAD', 'CONTACT')),
    salesforce_id TEXT        NOT NULL,
    intercom_id   TEXT        NOT NULL,
    -- the person's e-mail, lower case, when either side's values held it
    email         TEXT,
    -- the target's field or attribute (custom_attributes.plan), and the source's
    field         TEXT        NOT NULL,
    source_field  TEXT,
    old_value     TEXT,
    new_value     TEXT,
    bulk_run_id   BIGINT
);
-- the three look-ups of GET /api/history, newest first, and the pruning by age
CREATE INDEX change_history_by_salesforce_id ON change_history (salesforce_id, id DESC);
CREATE INDEX change_history_by_intercom_id ON change_history (intercom_id, id DESC);
CREATE INDEX change_history_by_email ON change_history (email, id DESC) WHERE email IS NOT NULL;
CREATE INDEX change_history_by_age ON change_history (changed_at);

-- A bulk run's writers have only the patches: its history rows take the e-mail and the old value
-- from the run's staged copy of the target, looked up by these per write batch.
CREATE INDEX bulk_stage_salesforce_by_id ON bulk_stage_salesforce (run_id, salesforce_id);
CREATE INDEX bulk_stage_intercom_by_id ON bulk_stage_intercom (run_id, intercom_id);
