-- The Salesforce -> Intercom poll reads Contacts and Leads together on one Quartz trigger
-- (event-sync.salesforce-changes). The two per-type triggers it replaces stay in a clustered job store
-- (Camel deletes no job there when its route stops), where each would keep firing a job that no
-- route consumes any more: removed here.
DELETE FROM qrtz_cron_triggers WHERE trigger_group = 'event-sync' AND trigger_name IN ('salesforce-contacts', 'salesforce-leads');
DELETE FROM qrtz_simple_triggers WHERE trigger_group = 'event-sync' AND trigger_name IN ('salesforce-contacts', 'salesforce-leads');
DELETE FROM qrtz_fired_triggers WHERE trigger_group = 'event-sync' AND trigger_name IN ('salesforce-contacts', 'salesforce-leads');
DELETE FROM qrtz_triggers WHERE trigger_group = 'event-sync' AND trigger_name IN ('salesforce-contacts', 'salesforce-leads');
DELETE FROM qrtz_job_details WHERE job_group = 'event-sync' AND job_name IN ('salesforce-contacts', 'salesforce-leads');
