package io.github.crmsync;

import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;

/** Starts the service: Camel Main finds {@link CrmSyncConfiguration} and the routes in routes/*.camel.yaml. */
public final class Application {

    private Application() {
    }

    public static void main(String[] args) throws Exception {
        Main main = new Main(Application.class);
        try {
            main.run(args);
        } finally {
            closeOpenedResources(main.getCamelContext());
        }
    }

    /** Stops what start-up opened even when the Camel context never got to start (and so never stops). */
    public static void closeOpenedResources(CamelContext context) {
        if (context != null) {
            OpenedResources opened = context.getRegistry().lookupByNameAndType(OpenedResources.BEAN_NAME, OpenedResources.class);
            if (opened != null) {
                opened.close();
            }
        }
    }
}
