-- The differences a bulk run found: one row per record and side to write, computed once by the diff
-- (with the same patch code as event sync) and streamed to the writers in seq order, so that neither
-- side's records are ever all in memory. Unlogged like the staging tables: every run rebuilds it.
CREATE UNLOGGED TABLE bulk_stage_patch (
    run_id         BIGINT   NOT NULL,
    target         TEXT     NOT NULL CHECK (target IN ('SALESFORCE', 'INTERCOM')),
    seq            BIGINT   NOT NULL,
    object_type    TEXT     NOT NULL,
    salesforce_id  CHAR(18) NOT NULL,
    intercom_id    TEXT     NOT NULL,
    patch          JSONB    NOT NULL,
    -- the contact's fingerprint (IntercomFingerprint) to remember once its Salesforce write succeeded
    intercom_state TEXT,
    PRIMARY KEY (run_id, target, seq)
);
