/**
 * The sandbox Intercom: {@link io.github.crmsync.sandbox.intercom.IntercomSimulator}, an in-process
 * HTTP server that answers as Intercom's REST API 2.11–2.14 for the calls the sync makes, so that the
 * service and its tests talk to it through their real HTTP client, unchanged.
 *
 * <p>Where Intercom's documentation leaves a point open, the simulator does the following
 * (sources: Intercom's OpenAPI 2.14 description, intercom/Intercom-OpenAPI issues and pull requests,
 * developers.intercom.com reference pages, public client code):
 * <ul>
 *   <li>{@code GET /contacts}: default {@code per_page} 10 (the endpoint's real default per
 *       Intercom-OpenAPI PR #639 and the spec's own example), maximum 150 for list and search; above it,
 *       or below 1, 400 {@code parameter_invalid} (the status/code of an out-of-range value; the exact
 *       message is not documented). An unusable cursor is 400 {@code client_error} "Invalid starting_after
 *       param. Please try again using a starting_after value from a paginated response" (2.4 reference).
 *       Cursors are opaque URL-safe Base64; {@code pages.next} is absent on the last page.</li>
 *   <li>{@code POST /contacts/search}: default 50 per page. Timestamps and date custom attributes are
 *       compared by calendar day in the workspace time zone (UTC here), exactly as the 2.14 description
 *       says: {@code >} matches from the next midnight, {@code <} before that day's midnight, {@code =}
 *       the whole day; {@code != >= <= IN NIN} on dates are refused. A poller that keeps a watermark
 *       {@code W} must therefore ask for {@code updated_at > W - 86400} and drop what is not after
 *       {@code W} itself. E-mail comparisons ignore case; other strings compare exactly. More than two
 *       nesting levels or 15 entries in a group, an operator the field's type does not take, or a value
 *       of the wrong type: 400 {@code parameter_invalid}; an unknown field: 400 {@code invalid_field}
 *       (the code Intercom's ticket search answers with). Results come in a stable order (seed order).</li>
 *   <li>{@code GET/PUT /contacts/{id}} of an unknown contact: 404 {@code not_found} "User Not Found"
 *       (the message of the spec's examples for contact paths).</li>
 *   <li>{@code PUT /contacts/{id}}: custom attributes left out of the body keep their values; null clears
 *       one. An unknown custom attribute: 400 {@code parameter_invalid} "Custom attribute 'x' does not
 *       exist" (wording as Intercom's conversation attributes answer); a value of the wrong type or not
 *       among a list attribute's options: 400 {@code parameter_invalid} "'v' is not a valid value for
 *       'x'" (Intercom's wording for attribute values; list validation per Intercom-OpenAPI #457);
 *       user to lead: 400 {@code client_error} "Contact with user role can't be converted to a lead"
 *       (2.3–2.6 reference). A body that changes nothing changes nothing ({@code updated_at} stays, no
 *       webhook); otherwise {@code updated_at} becomes the current second, never going backwards.</li>
 *   <li>Malformed JSON: 400 {@code parameter_invalid} (docs: "usually with the error code
 *       parameter_invalid"; the message is ours). Unknown path or method: 404 {@code not_found}.</li>
 *   <li>{@code Intercom-Version}: 2.11–2.14 accepted, absent means 2.14; any other value is 400
 *       {@code intercom_version_invalid} "The requested version could not be found" (code from Intercom's
 *       client libraries, message as observed by public client code).</li>
 *   <li>Rate limit: the per-minute allowance split into six 10-second windows aligned on the clock
 *       (1,000/min gives 167 per window); {@code X-RateLimit-Limit/Remaining/Reset} on every
 *       authenticated answer (not on 401s); past it 429 {@code rate_limit_exceeded} "Exceeded rate limit
 *       of N in 10_seconds" (2.17 docs wording); no {@code Retry-After}.</li>
 *   <li>Webhooks: {@code notification_event} with the full contact as {@code data.item}, topic by role,
 *       {@code X-Hub-Signature: sha1=<hex HMAC-SHA1 of the body bytes>}, user agent
 *       {@code intercom-parrot-service-client/1.0}; a non-2xx answer (but 410) or a timeout of 5 s is
 *       retried once after the retry delay (a minute at Intercom; settable) with {@code delivery_attempts} 2.</li>
 * </ul>
 * Not simulated: the {@code Accept} header check (406), contact creation, tags, companies, notes,
 * e-mail uniqueness conflicts (409), and the search index delay for new contacts.
 */
package io.github.crmsync.sandbox.intercom;
