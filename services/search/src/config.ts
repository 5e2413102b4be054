/**
 * The search service's own variables: none beyond the standard ones its manifest implies (`PORT`,
 * `DATABASE_URL`, `REDIS_URL`, `CATALOG_ADDR`, …). The thresholds it answers by (10,000 exactly counted
 * results, pg_trgm's 0.3 similarity) are the contract's and PostgreSQL's, not a deployment's choice.
 */
export const settings = {};
