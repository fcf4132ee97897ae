-- Bulk-sync previews (docs/operations.md, "Preview"): a preview is a bulk_run row of kind PREVIEW.
-- It takes the same one-at-a-time lock (bulk_run_one_active) and stages into the same tables under
-- its own run id, but writes nothing to either system: what it found is kept in preview (JSON), and a
-- run started from it names it in preview_id.
ALTER TABLE bulk_run
    ADD COLUMN kind       TEXT   NOT NULL DEFAULT 'RUN' CHECK (kind IN ('RUN', 'PREVIEW')),
    ADD COLUMN preview    JSONB,
    ADD COLUMN preview_id BIGINT REFERENCES bulk_run (id);

-- The e-mail matches a preview would link: kept apart from record_link, which only a run writes.
CREATE UNLOGGED TABLE bulk_stage_link (
    run_id        BIGINT   NOT NULL,
    object_type   TEXT     NOT NULL,
    salesforce_id CHAR(18) NOT NULL,
    intercom_id   TEXT     NOT NULL
);
