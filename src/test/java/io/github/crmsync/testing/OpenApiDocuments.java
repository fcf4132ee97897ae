package io.github.crmsync.testing;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;

import java.net.URL;

/** OpenAPI descriptions shipped as test resources, parsed with their references resolved. */
public final class OpenApiDocuments {

    private OpenApiDocuments() {
    }

    public static OpenAPI read(String resource) {
        URL url = OpenApiDocuments.class.getClassLoader().getResource(resource);
        if (url == null) {
            throw new IllegalStateException(resource + " not on the test classpath");
        }
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult parsed = new OpenAPIV3Parser().readLocation(url.toString(), null, options);
        if (parsed.getOpenAPI() == null) {
            throw new IllegalStateException("cannot parse " + resource + ": " + parsed.getMessages());
        }
        return parsed.getOpenAPI();
    }
}
