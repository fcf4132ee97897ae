package io.github.crmsync.salesforce;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The org's 24-hour API consumption as every Salesforce response reports it: {@code Sforce-Limit-Info: api-usage=used/max}. */
public record SalesforceLimitInfo(long used, long max) {

    public static final String HEADER = "Sforce-Limit-Info";
    private static final Pattern API_USAGE = Pattern.compile("api-usage=(\\d+)/(\\d+)");

    public static Optional<SalesforceLimitInfo> parse(String header) {
        if (header == null) {
            return Optional.empty();
        }
        Matcher m = API_USAGE.matcher(header);
        return m.find() ? Optional.of(new SalesforceLimitInfo(Long.parseLong(m.group(1)), Long.parseLong(m.group(2))))
                : Optional.empty();
    }

    /** Share of the allowance used, 0..1 (1 when the org has no allowance left or none at all). */
    public double consumedShare() {
        return max <= 0 ? 1.0 : Math.min(1.0, (double) used / max);
    }
}
