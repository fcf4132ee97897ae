/**
 * Why a request is refused, as exceptions that carry their HTTP status and JSON error body. The
 * capabilities throw them; only the admin API's error handler (admin/) turns them into answers.
 * Imports nothing of the service, so every package may use it without an arrow running back up.
 */
package io.github.crmsync.requests;
