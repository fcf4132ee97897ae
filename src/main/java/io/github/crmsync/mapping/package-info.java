/**
 * Attribute mappings between Intercom contacts and Salesforce Contacts/Leads, as plain Java for the
 * event sync and the bulk sync alike: the model ({@link io.github.crmsync.mapping.AttributeMapping},
 * {@link io.github.crmsync.mapping.MappingSet}), the live schemas they are checked against
 * ({@link io.github.crmsync.mapping.SalesforceSchema}, {@link io.github.crmsync.mapping.IntercomSchema}),
 * validation ({@link io.github.crmsync.mapping.MappingValidator}), value conversion
 * ({@link io.github.crmsync.mapping.ValueConverter}) and minimal patches
 * ({@link io.github.crmsync.mapping.PatchCalculator}).
 *
 * <p>The rules decided here, each documented where it is applied:
 * <ul>
 *   <li>Which types map to which, in which direction: {@code TypeCompatibility}.</li>
 *   <li>Empty, checkbox, number scale, date and datetime handling: {@link io.github.crmsync.mapping.ValueConverter}.</li>
 *   <li>E-mail is the match key: read from, never written; system fields never written:
 *       {@link io.github.crmsync.mapping.MappingValidator}.</li>
 *   <li>Only differences are written, and a side with a conversion error is withheld for that
 *       record: {@link io.github.crmsync.mapping.PatchCalculator}.</li>
 * </ul>
 */
package io.github.crmsync.mapping;
