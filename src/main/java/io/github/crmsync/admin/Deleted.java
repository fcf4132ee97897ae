package io.github.crmsync.admin;

import io.swagger.v3.oas.annotations.media.Schema;

/** The answer to a DELETE: the id of the mapping or sync error removed. */
public record Deleted(@Schema(requiredMode = Schema.RequiredMode.REQUIRED) long deleted) {
}
