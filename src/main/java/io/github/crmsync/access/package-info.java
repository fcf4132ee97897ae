/**
 * Who may use the service's HTTP server: the admin login (form and session cookie for the settings
 * page, HTTP Basic for API clients), which paths need it, and the security headers of every answer.
 * The webhook and Canvas Kit endpoints are left to their own signature checks.
 */
package io.github.crmsync.access;
