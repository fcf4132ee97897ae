-- Event sync: where a Salesforce poll reads again from, and how often a page or batch failed as a whole.

-- read_until: the start of the last poll that read to the end. Every change committed before it was
-- seen; the next poll reads again from read_until minus the overlap, for changes of transactions
-- that were still open then (Salesforce stamps SystemModstamp when a transaction starts).
-- page_failures: how many times the page after the watermark failed as a whole since the watermark
-- last moved; from crmsync.event.whole-page-attempts on it is taken record by record.
ALTER TABLE sync_watermark
    ADD COLUMN read_until    TIMESTAMPTZ,
    ADD COLUMN page_failures INTEGER NOT NULL DEFAULT 0;
UPDATE sync_watermark SET read_until = watermark_at;

-- How many times the batch holding this change failed as a whole; from
-- crmsync.event.whole-page-attempts on the change is written on its own.
ALTER TABLE intercom_change ADD COLUMN batch_failures INTEGER NOT NULL DEFAULT 0;
