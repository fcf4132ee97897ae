package io.github.crmsync.sandbox.seed;

/**
 * One generated person and how each system sees it: a Salesforce record, an Intercom contact,
 * or both (then usually with the same e-mail, sometimes with differing values).
 *
 * @param index      the person's position in the seed (0-based)
 * @param lead       a lead (Salesforce Lead, Intercom lead) rather than a Contact / Intercom user
 * @param salesforce the Salesforce record, or null when the person is not in Salesforce
 * @param intercom   the Intercom contact, or null when the person is not in Intercom
 */
public record SeedPerson(int index, boolean lead, SalesforceSeed salesforce, IntercomSeed intercom) {
}
