-- The claim of a dispatch round in one round trip instead of four (BEGIN, lock, claim, COMMIT).
-- A volatile PL/pgSQL function takes a new snapshot for each statement inside it, so the claim
-- below sees every delivery another replica put in flight before this one took the agents'
-- locks; the locks are transaction-scoped and last until the caller's statement commits.
-- Returns the claimed deliveries with the columns of their messages (MESSAGE_COLUMNS in
-- src/db/message-row.ts: a change of router.messages changes this function too).
CREATE OR REPLACE FUNCTION "router"."claim_deliveries"(
  lock_space integer,
  agent_ids jsonb,
  max_in_flight integer,
  ack_timeout_ms integer,
  claim_limit integer
) RETURNS TABLE (
  delivery_id bigint, agent_id text, attempts integer,
  id uuid, seq bigint, sender_agent text, sent_by text, target jsonb, topic text, headers jsonb,
  priority smallint, conversation_id text, correlation_id uuid, reply_to text, receipt boolean,
  payload bytea, codec text, key_id text, nonce bytea, format_version integer,
  recipients integer, accepted_at timestamptz, expires_at timestamptz
) LANGUAGE plpgsql VOLATILE AS $$
-- The output columns are variables too: in the queries, a name means the table's column.
#variable_conflict use_column
DECLARE
  locked jsonb;
BEGIN
  -- One replica dispatches an agent at a time: the others skip it.
  SELECT coalesce(jsonb_agg(a.agent_id), '[]'::jsonb) INTO locked
  FROM jsonb_array_elements_text(agent_ids) AS a(agent_id)
  WHERE pg_try_advisory_xact_lock(lock_space, hashtext(a.agent_id));
  IF jsonb_array_length(locked) = 0 THEN
    RETURN;
  END IF;
  RETURN QUERY
  WITH windows AS MATERIALIZED (
    SELECT a.agent_id, max_in_flight - (
      SELECT count(*) FROM router.deliveries d
      WHERE d.agent_id = a.agent_id AND d.status = 'inflight')::integer AS free
    FROM jsonb_array_elements_text(locked) AS a(agent_id)
  ), heads AS MATERIALIZED (
    SELECT h.id, h.next_attempt_at FROM windows w CROSS JOIN LATERAL (
      SELECT d.id, d.next_attempt_at FROM router.deliveries d
      WHERE d.agent_id = w.agent_id AND d.status = 'queued' AND d.expires_at > now()
      ORDER BY d.priority DESC, d.id
      LIMIT greatest(w.free, 0)
      FOR UPDATE SKIP LOCKED) h
    WHERE h.next_attempt_at <= now()
    LIMIT claim_limit
  )
  UPDATE router.deliveries d
  SET status = 'inflight', attempts = d.attempts + 1,
    lease_until = now() + ack_timeout_ms * interval '1 millisecond'
  FROM heads h, router.messages m
  WHERE d.id = h.id AND m.id = d.message_id
  RETURNING d.id, d.agent_id, d.attempts,
    m.id, m.seq, m.sender_agent, m.sent_by, m.target, m.topic, m.headers, m.priority,
    m.conversation_id, m.correlation_id, m.reply_to, m.receipt, m.payload, m.codec, m.key_id,
    m.nonce, m.format_version, m.recipients, m.accepted_at, m.expires_at;
END;
$$;
