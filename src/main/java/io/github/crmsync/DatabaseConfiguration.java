package io.github.crmsync;

import io.github.crmsync.database.Database;
import io.github.crmsync.database.ThreadTransactions;
import io.github.crmsync.scheduling.ClusteredQuartz;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.quartz.QuartzComponent;

import javax.sql.DataSource;

/** The migrated database pool, and the clustered Quartz scheduler that keeps its state there. */
public class DatabaseConfiguration implements CamelConfiguration {

    /**
     * The pool (also the sql component's, which Camel autowires by type); closed with what start-up opened.
     * A thread may hold one transaction for what it writes through it (a change event and its replay id).
     */
    @BindToRegistry(value = "dataSource", lazy = true)
    public ThreadTransactions dataSource(ServiceSettings settings, OpenedResources opened) {
        Database database = opened.add(Database.open(settings.dbUrl(), settings.dbUser(), settings.dbPassword(),
                settings.dbPoolSize(), "crmsync-" + settings.replicaId()));
        return new ThreadTransactions(database.dataSource());
    }

    @Override
    public void configure(CamelContext context) {
        ServiceSettings settings = Configured.bean(context, ServiceSettings.class);
        QuartzComponent quartz = context.getComponent("quartz", QuartzComponent.class);
        quartz.setPrefixInstanceName(false);
        quartz.setProperties(ClusteredQuartz.properties(Configured.bean(context, DataSource.class), settings.replicaId(),
                clusterCheckinMillis(context)));
    }

    /** How often this replica checks in to the Quartz cluster (others take over its triggers when it stops). */
    private static long clusterCheckinMillis(CamelContext context) {
        String key = "crmsync.scheduling.cluster-checkin-interval-ms";
        String value = context.getPropertiesComponent().resolveProperty(key).orElse("7500").trim();
        try {
            long millis = Long.parseLong(value);
            if (millis > 0) {
                return millis;
            }
        } catch (NumberFormatException e) {
            // named below
        }
        throw new IllegalArgumentException(key + " must be a positive whole number of milliseconds, not '" + value + "'");
    }
}
