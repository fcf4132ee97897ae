package io.github.crmsync.bulksync;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

import java.util.ArrayList;
import java.util.List;

/**
 * The split over search slices to size gathers what each gives (the slice to read on, or its sized
 * halves) into one list, the body of the split's result; a slice not sized (the run stopped) gives nothing.
 */
public final class SlicesFound implements AggregationStrategy {

    @Override
    public Exchange aggregate(Exchange gathered, Exchange one) {
        Exchange into = gathered == null ? one : gathered;
        List<Object> slices = gathered == null ? new ArrayList<>() : into.getMessage().getBody(List.class);
        if (one != null && one.getMessage().getBody() instanceof List<?> found) {
            slices.addAll(found);
        }
        into.getMessage().setBody(slices);
        return into;
    }

    @Override
    public void onCompletion(Exchange gathered, Exchange original) {
        if (gathered != null && original != null) {
            original.getMessage().setBody(gathered.getMessage().getBody());
        }
    }
}
