package io.github.crmsync;

import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;

/** Starts the service: Camel Main with {@link CrmSyncConfiguration} and the routes in routes/*.camel.yaml. */
public final class Application {

    private Application() {
    }

    public static void main(String[] args) throws Exception {
        Main main = newMain();
        try {
            main.run(args);
        } finally {
            closeOpenedResources(main.getCamelContext());
        }
    }

    /** Camel Main as the service runs: configured by {@link CrmSyncConfiguration}, which brings in the capabilities' classes. */
    public static Main newMain() {
        Main main = new Main(Application.class);
        // no class-path scan: it would build each capability's configuration a second time, in no set order
        main.configure().setBasePackageScanEnabled(false);
        main.configure().addConfiguration(CrmSyncConfiguration.class);
        return main;
    }

    /** Stops what start-up opened even when the Camel context never got to start (and so never stops). */
    public static void closeOpenedResources(CamelContext context) {
        if (context != null) {
            for (OpenedResources opened : context.getRegistry().findByType(OpenedResources.class)) {
                opened.close();
            }
        }
    }
}
