-- The outbox row carries what the relay sends as Kafka headers beside the envelope: the request's correlation id
-- (the envelope's own, so the Kafka ``correlation_id`` header equals the event's) and the W3C ``traceparent`` of
-- the span that wrote it (berdaya_shared.observability.tracing), so the trace continues across Kafka.
-- Rows written before this migration have neither; the unpublished ones take the correlation id from their
-- envelope here (the published ones are history and are never sent again).

ALTER TABLE outbox ADD COLUMN correlation_id text;
ALTER TABLE outbox ADD COLUMN traceparent text;

UPDATE outbox SET correlation_id = convert_from(envelope, 'UTF8')::jsonb ->> 'correlation_id'
WHERE published_at IS NULL;
