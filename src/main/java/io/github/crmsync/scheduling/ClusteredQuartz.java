package io.github.crmsync.scheduling;

import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Quartz settings for a JDBC job store in the service's PostgreSQL, clustered: every replica runs a
 * scheduler with the same name and its own instance id, and each trigger fires on one of them.
 * The job store borrows connections from the service's pool rather than opening its own.
 */
public final class ClusteredQuartz {

    public static final String SCHEDULER_NAME = "crmsync";

    private ClusteredQuartz() {
    }

    /**
     * Registers the pool with Quartz under a name unique to this scheduler instance and returns the
     * properties for Camel's Quartz component.
     */
    public static Properties properties(DataSource dataSource, String instanceId, long checkinIntervalMillis) {
        String dataSourceName = "crmsync-" + instanceId;
        DBConnectionManager.getInstance().addConnectionProvider(dataSourceName, new PooledConnections(dataSource));
        Properties p = new Properties();
        p.setProperty("org.quartz.scheduler.instanceName", SCHEDULER_NAME);
        p.setProperty("org.quartz.scheduler.instanceId", instanceId);
        p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        p.setProperty("org.quartz.threadPool.threadCount", "4");
        p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
        p.setProperty("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
        p.setProperty("org.quartz.jobStore.dataSource", dataSourceName);
        p.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
        p.setProperty("org.quartz.jobStore.isClustered", "true");
        p.setProperty("org.quartz.jobStore.clusterCheckinInterval", Long.toString(checkinIntervalMillis));
        p.setProperty("org.quartz.jobStore.misfireThreshold", "60000");
        return p;
    }

    private record PooledConnections(DataSource dataSource) implements ConnectionProvider {
        @Override
        public Connection getConnection() throws SQLException {
            return dataSource.getConnection();
        }

        @Override
        public void shutdown() {
            // the pool belongs to the service and is closed with it
        }

        @Override
        public void initialize() {
            // nothing to prepare: the pool is open before the scheduler starts
        }
    }
}
