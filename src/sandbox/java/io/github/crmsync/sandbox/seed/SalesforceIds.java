package io.github.crmsync.sandbox.seed;

/**
 * Salesforce-shaped record ids for the sandbox: a 3-character key prefix, a fixed instance part and
 * the person's index in base 62, followed by the documented 3-character case-safe suffix, so that
 * the 18-character ids look and behave like a real org's (and map back to the seed index).
 */
public final class SalesforceIds {

    public static final String CONTACT_PREFIX = "003";
    public static final String LEAD_PREFIX = "00Q";
    public static final String ORG_PREFIX = "00D";
    public static final String USER_PREFIX = "005";

    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final String SUFFIX_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
    private static final String INSTANCE = "5e00";
    private static final int NUMBER_DIGITS = 8;

    private SalesforceIds() {
    }

    /** The 18-character id of the record with this key prefix and number. */
    public static String id(String keyPrefix, long number) {
        StringBuilder digits = new StringBuilder();
        long n = number;
        do {
            digits.append(BASE62.charAt((int) (n % 62)));
            n /= 62;
        } while (n > 0);
        while (digits.length() < NUMBER_DIGITS) {
            digits.append('0');
        }
        String id15 = keyPrefix + INSTANCE + digits.reverse();
        return id15 + caseSafeSuffix(id15);
    }

    /** The number an id of {@link #id} carries, or -1 when the id is not of that form. */
    public static long number(String id) {
        if (id == null || (id.length() != 18 && id.length() != 15)) {
            return -1;
        }
        String id15 = id.substring(0, 15);
        if (id.length() == 18 && !id.substring(15).equals(caseSafeSuffix(id15))) {
            return -1;
        }
        if (!id15.startsWith(INSTANCE, 3)) {
            return -1;
        }
        long n = 0;
        for (int i = 3 + INSTANCE.length(); i < 15; i++) {
            int digit = BASE62.indexOf(id15.charAt(i));
            if (digit < 0) {
                return -1;
            }
            n = n * 62 + digit;
        }
        return n;
    }

    /** The 15-character form of an id (Salesforce accepts both and compares on these). */
    public static String to15(String id) {
        return id.length() == 18 ? id.substring(0, 15) : id;
    }

    /** Salesforce's case-safe suffix: one character per 5-character chunk, a bit per upper-case letter. */
    public static String caseSafeSuffix(String id15) {
        StringBuilder suffix = new StringBuilder(3);
        for (int chunk = 0; chunk < 3; chunk++) {
            int bits = 0;
            for (int i = 0; i < 5; i++) {
                char c = id15.charAt(chunk * 5 + i);
                if (c >= 'A' && c <= 'Z') {
                    bits |= 1 << i;
                }
            }
            suffix.append(SUFFIX_CHARS.charAt(bits));
        }
        return suffix.toString();
    }
}
