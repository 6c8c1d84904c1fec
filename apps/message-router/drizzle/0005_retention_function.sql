-- Message retention, one batch in one round trip: at most batch_limit of the oldest messages
-- accepted more than retention_ms ago with no delivery queued or in flight. Returns how many it
-- deleted; their deliveries go with them (ON DELETE CASCADE).
--
-- Two statements, because one cannot do it without losing dead-letter replays. A single
-- DELETE ... WHERE id IN (SELECT ... AND NOT EXISTS (a queued or in-flight delivery) ... FOR
-- UPDATE SKIP LOCKED) judges NOT EXISTS by the snapshot it took when it started. A replay that
-- commits after that, but before the statement reaches (locks) the message row, is not seen:
-- READ COMMITTED follows the row to its new version, rechecks the conditions against the old
-- snapshot, deletes the message, and the cascade deletes the replayed delivery (the cascade
-- sees it) that the operator was told was queued again.
--
-- So the first statement only picks and locks the batch (oldest first, through
-- messages_accepted_at_idx, SKIP LOCKED: replicas sweeping at once take different rows), and
-- the second deletes those of the locked messages that still have no delivery queued or in
-- flight, with a snapshot of its own taken after every lock is held (a VOLATILE function under
-- READ COMMITTED takes a new snapshot for each statement). Nothing can slip between the two:
-- * Queueing a delivery for a message locks the message row: the foreign key check of the
--   insert takes FOR KEY SHARE on it (and a replay's upsert of the message, before that, FOR NO
--   KEY UPDATE). Both conflict with FOR UPDATE.
-- * A replay still in progress when the first statement reaches the row holds one of those
--   locks: SKIP LOCKED passes over the message, this batch leaves it alone.
-- * A replay that committed before the first statement locked the row (even after that
--   statement's snapshot) committed before the second statement's snapshot: the second sees
--   the queued delivery and keeps the message.
-- * A replay that comes after the lock waits for this transaction. If the message was deleted,
--   the replay's upsert (dead-letter-store.ts) finds no row once we commit and stores the
--   message again from the dead letter's copy, and its delivery's foreign key check finds that
--   row: the replay succeeds with both stored. (A bare delivery insert would fail its foreign
--   key check instead: an error to the operator, never a success with nothing stored.)
-- Nothing else queues a delivery that was settled: retries put back only in-flight ones, whose
-- message is never a candidate. accepted_at never changes, so only the delivery check is
-- repeated.
CREATE OR REPLACE FUNCTION "router"."sweep_messages"(
  retention_ms bigint,
  batch_limit integer
) RETURNS integer LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  locked uuid[];
  deleted integer;
BEGIN
  SELECT array_agg(c.id) INTO locked FROM (
    SELECT m.id FROM router.messages m
    WHERE m.accepted_at < now() - retention_ms * interval '1 millisecond'
      AND NOT EXISTS (
        SELECT 1 FROM router.deliveries d
        WHERE d.message_id = m.id AND d.status IN ('queued', 'inflight'))
    ORDER BY m.accepted_at LIMIT batch_limit
    FOR UPDATE OF m SKIP LOCKED) c;
  IF locked IS NULL THEN
    RETURN 0;
  END IF;
  DELETE FROM router.messages m
  WHERE m.id = ANY (locked)
    AND NOT EXISTS (
      SELECT 1 FROM router.deliveries d
      WHERE d.message_id = m.id AND d.status IN ('queued', 'inflight'));
  GET DIAGNOSTICS deleted = ROW_COUNT;
  RETURN deleted;
END;
$$;
