-- The change trail kept personal values as plain SHA-256 fingerprints ("sha256:" and 12 hex), a birth date among
-- them: hashing every date from 1940 to 2010 reverses one. Fingerprints are keyed from now on (HMAC-SHA256 with a
-- key from the service's configuration, never in the database: "hmac:" and 16 hex). The plain ones cannot be
-- re-keyed without the values they hide, so they are removed: the trail keeps who changed what and when, and shows
-- null where an old fingerprint was. Idempotent (a second run finds none).
UPDATE audit_log
   SET before = regexp_replace(before::text, '"sha256:[0-9a-f]{12}"', 'null', 'g')::jsonb,
       after  = regexp_replace(after::text, '"sha256:[0-9a-f]{12}"', 'null', 'g')::jsonb
 WHERE before::text ~ '"sha256:[0-9a-f]{12}"' OR after::text ~ '"sha256:[0-9a-f]{12}"';
