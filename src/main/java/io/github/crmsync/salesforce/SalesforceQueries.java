package io.github.crmsync.salesforce;

import org.apache.camel.ProducerTemplate;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.component.salesforce.SalesforceComponent;
import org.apache.camel.component.salesforce.api.SalesforceException;
import org.apache.camel.component.salesforce.api.dto.RestError;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Look-up queries a sync step needs beside its main query (e.g. who else has this e-mail), sent
 * through the {@code salesforce-lookup} routes so their API calls are counted like any other.
 */
public final class SalesforceQueries {

    private final ProducerTemplate template;
    private volatile String apiVersion;

    public SalesforceQueries(ProducerTemplate template) {
        this.template = template;
    }

    /** Every record the query returns, following {@code nextRecordsUrl}. */
    public List<Map<String, Object>> all(String soql) {
        List<Map<String, Object>> records = new ArrayList<>();
        QueryPage page = QueryPage.parse(template.requestBody("direct:salesforce-query", soql, String.class));
        records.addAll(page.records());
        followPages(page, records);
        return records;
    }

    /**
     * Every record the queries return, the queries sent in Composite calls of up to 5 (one API call
     * each, route {@code salesforce-lookup-composite}); a page beyond a query's first, rare for
     * look-ups by id or e-mail, is read with {@code queryMore}. A query Salesforce refuses fails the
     * whole read with Salesforce's own error.
     */
    public List<Map<String, Object>> allInComposite(List<String> soqls) {
        List<Map<String, Object>> records = new ArrayList<>();
        for (int from = 0; from < soqls.size(); from += CompositeRequest.MAX_COLLECTIONS_OR_QUERIES) {
            CompositeRequest request = new CompositeRequest(apiVersion());
            List<String> chunk = soqls.subList(from, Math.min(soqls.size(), from + CompositeRequest.MAX_COLLECTIONS_OR_QUERIES));
            for (int i = 0; i < chunk.size(); i++) {
                request.query("query" + i, chunk.get(i));
            }
            String answer = template.requestBody("direct:salesforce-lookup-composite", request.json(), String.class);
            for (CompositeRequest.Result result : CompositeRequest.results(answer)) {
                if (!result.ok()) {
                    throw failure(result);
                }
                QueryPage page = QueryPage.parse(result.body().toString());
                records.addAll(page.records());
                followPages(page, records);
            }
        }
        return records;
    }

    /** The records of a query's page and of the pages after it (read with {@code queryMore}, rare for look-ups by id or e-mail). */
    public List<Map<String, Object>> allFrom(QueryPage page) {
        List<Map<String, Object>> records = new ArrayList<>(page.records());
        followPages(page, records);
        return records;
    }

    private void followPages(QueryPage page, List<Map<String, Object>> records) {
        while (page.nextRecordsUrl() != null) {
            page = QueryPage.parse(template.requestBody("direct:salesforce-query-more", page.nextRecordsUrl(), String.class));
            records.addAll(page.records());
        }
    }

    /** The REST API version the Salesforce component speaks (subrequest urls of a Composite request carry it). */
    public String apiVersion() {
        if (apiVersion == null) {
            apiVersion = template.getCamelContext().getComponent("salesforce", SalesforceComponent.class)
                    .getConfig().getApiVersion();
        }
        return apiVersion;
    }

    /**
     * A failed subrequest as the exception its own request would have raised (Salesforce's code,
     * message and status), unchecked: the error handling classifies and records it by that cause.
     */
    public static RuntimeCamelException failure(CompositeRequest.Result result) {
        return new RuntimeCamelException(new SalesforceException(
                List.of(new RestError(result.errorCode(), result.errorMessage())), result.status()));
    }
}
