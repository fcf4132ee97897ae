package io.github.crmsync.testing;

import org.apache.camel.CamelContext;
import org.apache.camel.component.mock.MockEndpoint;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Helpers of the route tests (@CamelMainTest classes, see docs/testing-and-benchmarks.md): which route
 * files they load, and the mocks that stand in for the external endpoints.
 */
public final class RouteTests {

    /** The settings file of every route test (not application.properties: no server, no login). */
    public static final String PROPERTIES = "classpath:route-tests.properties";

    private RouteTests() {
    }

    /**
     * The routesIncludePattern loading routes/NAME.camel.yaml from the working copy (an edit is
     * tested without a build) and, for names starting with "test:", src/test/resources/route-tests/.
     */
    public static String routes(String... names) {
        return Arrays.stream(names)
                .map(name -> name.startsWith("test:")
                        ? "classpath:route-tests/" + name.substring(5) + ".camel.yaml"
                        : "file:routes/" + name + ".camel.yaml")
                .collect(Collectors.joining(","));
    }

    /** The mock a skipped external endpoint's exchanges go to (mockEndpointsAndSkip), e.g. "salesforce:query". */
    public static MockEndpoint mock(CamelContext context, String endpoint) {
        return MockEndpoint.resolve(context, "mock:" + endpoint);
    }
}
