-- Idempotency-Key answers belong to the caller that sent the key, and requests with the same key take turns.
--
-- * ``caller`` is the verified token's subject (``sub``): another client's key is another key. Answers stored
--   before callers were recorded, or by a writer that does not name one, have caller '' and are replayed to any
--   caller, as before, until they expire.
-- * ``idempotency_claim`` takes a transaction-level advisory lock on (scope, caller, key), waiting at most
--   ``wait_ms``, then returns the stored answer, if any. A copy of a request still in flight waits on the lock and
--   then finds the first one's answer; if the first one rolled back or its process died, the lock is gone with its
--   transaction and the copy runs the command itself. The lookup is a statement of its own inside a volatile
--   function, so it sees what the lock holder committed while we waited (READ COMMITTED, fresh snapshot).
-- * ``created_at`` is indexed for the retention purge (berdaya_shared.messaging.idempotency.RETENTION).

ALTER TABLE idempotency_keys ADD COLUMN caller text NOT NULL DEFAULT '';
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey;
ALTER TABLE idempotency_keys ADD CONSTRAINT idempotency_keys_pkey PRIMARY KEY (scope, caller, key);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

CREATE FUNCTION idempotency_lock_id(p_scope text, p_caller text, p_key text) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT hashtextextended(p_scope || E'\n' || p_caller || E'\n' || p_key, 0)
$$;

CREATE FUNCTION idempotency_claim(p_scope text, p_caller text, p_key text, p_wait_ms integer)
RETURNS TABLE (request_hash text, status_code integer, response_body bytea)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    previous text := current_setting('lock_timeout');
BEGIN
    PERFORM set_config('lock_timeout', p_wait_ms || 'ms', true);
    PERFORM pg_advisory_xact_lock(idempotency_lock_id(p_scope, p_caller, p_key));
    PERFORM set_config('lock_timeout', previous, true);
    RETURN QUERY
        SELECT k.request_hash, k.status_code, k.response_body FROM idempotency_keys k
        WHERE k.scope = p_scope AND k.key = p_key AND k.caller IN (p_caller, '')
        ORDER BY k.caller DESC
        LIMIT 1;
END
$$;
