package io.github.crmsync.salesforce;

import org.apache.camel.ProducerTemplate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Look-up queries a sync step needs beside its main query (e.g. who else has this e-mail), sent
 * through the {@code salesforce-lookup} routes so their API calls are counted like any other.
 */
public final class SalesforceQueries {

    private final ProducerTemplate template;

    public SalesforceQueries(ProducerTemplate template) {
        this.template = template;
    }

    /** Every record the query returns, following {@code nextRecordsUrl}. */
    public List<Map<String, Object>> all(String soql) {
        List<Map<String, Object>> records = new ArrayList<>();
        QueryPage page = QueryPage.parse(template.requestBody("direct:salesforce-query", soql, String.class));
        records.addAll(page.records());
        while (page.nextRecordsUrl() != null) {
            page = QueryPage.parse(template.requestBody("direct:salesforce-query-more", page.nextRecordsUrl(), String.class));
            records.addAll(page.records());
        }
        return records;
    }
}
