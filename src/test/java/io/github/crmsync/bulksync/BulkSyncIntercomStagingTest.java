package io.github.crmsync.bulksync;

import io.github.crmsync.intercom.IntercomClient;
import io.github.crmsync.mapping.MappingSet;
import io.github.crmsync.mapping.SandboxMappings;
import io.github.crmsync.testing.RunningService;
import io.github.crmsync.testing.SimulatedWorld;
import io.github.crmsync.testing.WholeService;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Intercom staged by several search cursors over creation-day slices holds exactly what the
 * listing holds: every contact once, with the same values — against the simulator's search, which
 * compares dates by day as Intercom's does.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BulkSyncIntercomStagingTest {

    @RegisterExtension
    static final WholeService whole = WholeService.inWorld(1500);
    private SimulatedWorld world;
    private RunningService service;

    @BeforeAll
    void start() throws Exception {
        world = whole.world();
        service = whole.service();
    }

    @Test
    void theSlicesTogetherStageEveryContactOfTheListingExactlyOnce() throws Exception {
        DataSource dataSource = service.bean("dataSource", DataSource.class);
        IntercomClient intercom = service.bean("intercomClient", IntercomClient.class);
        BulkStaging staging = new BulkStaging(dataSource, null, IntercomPages.direct(intercom),
                service.context().getExecutorServiceManager(), 2_000, 10_000);
        MappingSet mappings = SandboxMappings.defaults();

        staging.clear();
        long listedRows = staging.stageIntercom(1, mappings, () -> false, 1);
        Map<String, String> listed = staged(dataSource, 1);

        long before = intercom.requestCount();
        // small slices: most are halved, down to single days, before they are read
        long searchedRows = staging.stageIntercom(2, mappings, () -> false, 4, 20);
        long requests = intercom.requestCount() - before;
        Map<String, String> searched = staged(dataSource, 2);
        staging.clear();

        assertThat(listed).hasSizeGreaterThan(1000);
        assertThat(listedRows).isEqualTo(listed.size());
        assertThat(searchedRows).as("rows staged, none twice").isEqualTo(searched.size());
        assertThat(searched).isEqualTo(listed);
        assertThat(requests).as("search pages rather than the listing's %d", (listed.size() + 149) / 150)
                .isGreaterThan(30);
    }

    /** intercom_id → object type, e-mail and staged contact; fails on an id staged twice. */
    private static Map<String, String> staged(DataSource dataSource, long runId) throws Exception {
        Map<String, String> rows = new HashMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement select = c.prepareStatement(
                "SELECT intercom_id, object_type, email_lower, contact::text FROM bulk_stage_intercom WHERE run_id = ?")) {
            select.setLong(1, runId);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    String previous = rs.getString(1) == null ? null : rows.put(rs.getString(1),
                            rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getString(4));
                    assertThat(previous).as("%s staged twice", rs.getString(1)).isNull();
                }
            }
        }
        return rows;
    }
}
