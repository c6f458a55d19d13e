"""Shared test helpers: one local HTTP server (localserver), page builders (pages), parse-pool
worker targets (pooltargets) and a pseudo-terminal runner (terminal). Kept import-light: spawned
parse workers import tests.helpers.pooltargets."""
