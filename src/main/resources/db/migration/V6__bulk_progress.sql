-- A bulk run's progress per phase (see BulkProgress): each phase's own counts against a total known
-- before it counts, so that the percent every replica and the page show never goes down and moves
-- in every phase; the owner's ETA (from the bar's recent pace) is saved with them.
ALTER TABLE bulk_run
    ADD COLUMN phase               TEXT CHECK (phase IN ('STAGING', 'DIFFING', 'WRITING')),
    ADD COLUMN phase_started_at    TIMESTAMPTZ,
    ADD COLUMN eta_seconds         BIGINT,
    ADD COLUMN salesforce_to_stage BIGINT,
    ADD COLUMN salesforce_staged   BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN intercom_to_stage   BIGINT,
    ADD COLUMN intercom_staged     BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN matching_steps      INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN pairs_to_diff       BIGINT,
    ADD COLUMN pairs_diffed        BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN writes_to_do        BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN writes_done         BIGINT NOT NULL DEFAULT 0;

-- runs from before: what they reached is what their counters say
UPDATE bulk_run SET phase = 'WRITING', writes_to_do = total, writes_done = processed WHERE phase IS NULL;
