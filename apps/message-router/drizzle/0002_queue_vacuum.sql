-- Every delivery row is updated twice (claimed, then acked), and the queue and in-flight indexes
-- are partial on its status, so no update is HOT: vacuum the queue table early and without
-- throttling, or dead index entries pile up under load and every claim wades through them.
ALTER TABLE "router"."deliveries" SET (
  autovacuum_vacuum_scale_factor = 0.01,
  autovacuum_vacuum_threshold = 1000,
  autovacuum_analyze_scale_factor = 0.02,
  autovacuum_vacuum_cost_delay = 0
);
