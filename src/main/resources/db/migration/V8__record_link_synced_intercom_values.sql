-- record_link.intercom_state now holds the Intercom values of the attributes mapped to Salesforce as
-- last synced (JSON, {"attribute": {"SalesforceField": value}}, see eventsync/SyncedValues) rather
-- than a digest of them: event sync writes the attributes whose Intercom value changed since, without
-- reading Salesforce. The digests stored before say nothing of the values: the next change of each
-- such link reads Salesforce once, as before, and stores the values.
UPDATE record_link SET intercom_state = NULL WHERE intercom_state IS NOT NULL AND intercom_state NOT LIKE '{%';
COMMENT ON COLUMN record_link.intercom_state IS
    'Intercom values of the attributes mapped to Salesforce as last synced, JSON {"attribute": {"Field": value}} (eventsync/SyncedValues)';
