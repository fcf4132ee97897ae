-- The SystemModstamp of the version of the linked Salesforce record that event sync's poll last
-- read: a poll reading that same version again (its overlap) does not mark the record as synced
-- (last_synced_at), so the inbox cards read since stay current.
ALTER TABLE record_link ADD COLUMN salesforce_modstamp TIMESTAMPTZ;
