-- Accepting a batch of messages and claiming, in the same round trip, the heads of the queues of
-- its recipients that are connected: a message to a waiting agent leaves with the commit that
-- stores it instead of waiting for a dispatch round's claim (one statement fewer per batch, and
-- one stage fewer between send and handler).
-- The first query is the accept statement the router used on its own (its final SELECT reads
-- the snapshot from before that query, so it finds only ids stored earlier: re-sends); the
-- claim is router.claim_deliveries, whose statements take snapshots after the insert, so it
-- sees the new deliveries. Rows of kind 'accepted' carry id, duplicate and recipients; rows of
-- kind 'claimed' carry what claim_deliveries returns.
CREATE OR REPLACE FUNCTION "router"."accept_messages"(
  lock_space integer,
  input_rows jsonb,
  agent_ids jsonb,
  max_in_flight integer,
  ack_timeout_ms integer,
  claim_limit integer
) RETURNS TABLE (
  kind text, duplicate boolean, delivery_id bigint, agent_id text, attempts integer,
  id uuid, seq bigint, sender_agent text, sent_by text, target jsonb, topic text, headers jsonb,
  priority smallint, conversation_id text, correlation_id uuid, reply_to text, receipt boolean,
  payload bytea, codec text, key_id text, nonce bytea, format_version integer,
  recipients integer, accepted_at timestamptz, expires_at timestamptz
) LANGUAGE plpgsql VOLATILE AS $$
-- The output columns are variables too: in the queries, a name means the table's column.
#variable_conflict use_column
BEGIN
  RETURN QUERY
  WITH input AS MATERIALIZED (
    SELECT * FROM jsonb_to_recordset(input_rows) AS t(id uuid, sender_agent text, sent_by text,
      target jsonb, topic text, headers jsonb, priority smallint, conversation_id text,
      correlation_id uuid, reply_to text, receipt boolean, payload text, codec text, key_id text,
      nonce text, format_version int, recipients jsonb, expires_at timestamptz)
  ), inserted AS (
    INSERT INTO router.messages AS m (id, sender_agent, sent_by, target, topic, headers, priority,
      conversation_id, correlation_id, reply_to, receipt, payload, codec, key_id, nonce,
      format_version, recipients, expires_at)
    SELECT i.id, i.sender_agent, i.sent_by, i.target, i.topic, i.headers, i.priority,
      i.conversation_id, i.correlation_id, i.reply_to, i.receipt, decode(i.payload, 'base64'),
      i.codec, i.key_id, decode(i.nonce, 'base64'), i.format_version,
      jsonb_array_length(i.recipients), i.expires_at
    FROM input i
    ON CONFLICT ON CONSTRAINT messages_pkey DO NOTHING
    RETURNING m.id, m.recipients
  ), queued AS (
    INSERT INTO router.deliveries (message_id, agent_id, priority, expires_at)
    SELECT i.id, r.agent_id, i.priority, i.expires_at
    FROM input i JOIN inserted n ON n.id = i.id
    CROSS JOIN LATERAL jsonb_array_elements_text(i.recipients) AS r(agent_id)
  )
  SELECT 'accepted'::text, false, NULL::bigint, NULL::text, NULL::integer, n.id, NULL::bigint,
    NULL::text, NULL::text, NULL::jsonb, NULL::text, NULL::jsonb, NULL::smallint, NULL::text,
    NULL::uuid, NULL::text, NULL::boolean, NULL::bytea, NULL::text, NULL::text, NULL::bytea,
    NULL::integer, n.recipients, NULL::timestamptz, NULL::timestamptz
  FROM inserted n
  UNION ALL
  SELECT 'accepted'::text, true, NULL::bigint, NULL::text, NULL::integer, m.id, NULL::bigint,
    NULL::text, NULL::text, NULL::jsonb, NULL::text, NULL::jsonb, NULL::smallint, NULL::text,
    NULL::uuid, NULL::text, NULL::boolean, NULL::bytea, NULL::text, NULL::text, NULL::bytea,
    NULL::integer, m.recipients, NULL::timestamptz, NULL::timestamptz
  FROM router.messages m WHERE m.id IN (SELECT i.id FROM input i);

  IF jsonb_array_length(agent_ids) > 0 THEN
    RETURN QUERY
    SELECT 'claimed'::text, NULL::boolean, c.*
    FROM router.claim_deliveries(lock_space, agent_ids, max_in_flight, ack_timeout_ms,
      claim_limit) AS c;
  END IF;
END;
$$;
