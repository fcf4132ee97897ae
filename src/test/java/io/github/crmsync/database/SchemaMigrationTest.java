package io.github.crmsync.database;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SchemaMigrationTest {

    @TempDir
    Path dataDir;

    @Test
    void emptyDatabaseMigratesAndARestartKeepsSchemaAndData() throws Exception {
        try (EmbeddedDatabase postgres = EmbeddedDatabase.start(dataDir, 0);
             Database database = Database.open(postgres.jdbcUrl(), postgres.user(), "", 2, "test")) {
            assertThat(database.migrationsApplied()).isEqualTo(14);
            assertThat(tables(database)).contains("attribute_mapping", "setting", "record_link",
                    "sync_watermark", "intercom_change", "bulk_run", "bulk_stage_salesforce", "bulk_stage_intercom", "bulk_stage_patch",
                    "sync_error", "salesforce_api_call", "salesforce_org_usage", "salesforce_event_delivery", "admin_session", "admin_session_key", "webhook_notification",
                    "alert_sent", "bulk_stage_link", "qrtz_job_details", "qrtz_triggers", "qrtz_cron_triggers", "qrtz_locks", "qrtz_scheduler_state");
            execute(database, "INSERT INTO attribute_mapping (object_type, intercom_attribute, salesforce_field, direction) "
                    + "VALUES ('CONTACT', 'phone', 'Phone', 'SALESFORCE_TO_INTERCOM')");
        }

        try (EmbeddedDatabase postgres = EmbeddedDatabase.start(dataDir, 0);
             Database database = Database.open(postgres.jdbcUrl(), postgres.user(), "", 2, "test")) {
            assertThat(database.migrationsApplied()).isZero();
            assertThat(query(database, "SELECT salesforce_field FROM attribute_mapping")).containsExactly("Phone");
        }
    }

    @Test
    void oneActiveBulkRunAtATimeIsEnforcedByTheSchema() throws Exception {
        try (EmbeddedDatabase postgres = EmbeddedDatabase.start(dataDir, 0);
             Database database = Database.open(postgres.jdbcUrl(), postgres.user(), "", 2, "test")) {
            String start = "INSERT INTO bulk_run (status, started_by, mapping_set) VALUES ('STAGING', 'admin', '[]')";
            execute(database, start);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> execute(database, start))
                    .hasMessageContaining("bulk_run_one_active");
            execute(database, "UPDATE bulk_run SET active = FALSE, status = 'STOPPED'");
            execute(database, start);
        }
    }

    /** V13: the two per-type Salesforce poll triggers an older version left in the job store are removed, others kept. */
    @Test
    void theFormerPerTypeSalesforcePollTriggersAreRemovedFromTheJobStore() throws Exception {
        try (EmbeddedDatabase postgres = EmbeddedDatabase.start(dataDir, 0)) {
            // the schema as the version before this migration left it
            org.flywaydb.core.api.configuration.FluentConfiguration flyway = org.flywaydb.core.Flyway.configure()
                    .dataSource(postgres.jdbcUrl(), postgres.user(), "").locations("classpath:db/migration");
            org.flywaydb.core.api.MigrationInfo[] migrations = flyway.load().info().all();
            int removing = java.util.Arrays.stream(migrations).map(org.flywaydb.core.api.MigrationInfo::getScript).toList()
                    .indexOf(java.util.Arrays.stream(migrations).map(org.flywaydb.core.api.MigrationInfo::getScript)
                            .filter(script -> script.endsWith("__one_salesforce_poll_trigger.sql")).findFirst().orElseThrow());
            flyway.target(migrations[removing - 1].getVersion()).load().migrate();
            try (Connection c = java.sql.DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), "");
                 Statement s = c.createStatement()) {
                for (String name : List.of("salesforce-contacts", "salesforce-leads", "intercom-contacts")) {
                    s.execute("INSERT INTO qrtz_job_details (sched_name, job_name, job_group, job_class_name, is_durable, "
                            + "is_nonconcurrent, is_update_data, requests_recovery) VALUES ('crmsync', '" + name
                            + "', 'event-sync', 'org.apache.camel.component.quartz.StatefulCamelJob', false, true, true, false)");
                    s.execute("INSERT INTO qrtz_triggers (sched_name, trigger_name, trigger_group, job_name, job_group, "
                            + "trigger_state, trigger_type, start_time) VALUES ('crmsync', '" + name + "', 'event-sync', '" + name
                            + "', 'event-sync', 'WAITING', 'CRON', 0)");
                    s.execute("INSERT INTO qrtz_cron_triggers (sched_name, trigger_name, trigger_group, cron_expression) "
                            + "VALUES ('crmsync', '" + name + "', 'event-sync', '0 0/5 * * * ?')");
                }
            }
            try (Database database = Database.open(postgres.jdbcUrl(), postgres.user(), "", 2, "test")) {
                assertThat(database.migrationsApplied()).isEqualTo(migrations.length - removing);
                assertThat(query(database, "SELECT trigger_name FROM qrtz_triggers")).containsExactly("intercom-contacts");
                assertThat(query(database, "SELECT trigger_name FROM qrtz_cron_triggers")).containsExactly("intercom-contacts");
                assertThat(query(database, "SELECT job_name FROM qrtz_job_details")).containsExactly("intercom-contacts");
            }
        }
    }

    private static List<String> tables(Database database) throws Exception {
        return query(database, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
    }

    private static List<String> query(Database database, String sql) throws Exception {
        List<String> values = new ArrayList<>();
        try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }

    private static void execute(Database database, String sql) throws Exception {
        try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
