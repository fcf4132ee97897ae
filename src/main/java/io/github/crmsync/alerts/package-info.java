/**
 * Alerts to operators (e-mail and an optional webhook) when something needs them: the API-budget
 * tier changed, sync errors pile up, event sync falls behind, a circuit breaker stays open, a bulk
 * run failed. The rules, the messages and the settings are plain classes; the quiet period is
 * decided in PostgreSQL so that several replicas send each alert once; routes/alerts.camel.yaml
 * checks on a timer and delivers.
 */
package io.github.crmsync.alerts;
