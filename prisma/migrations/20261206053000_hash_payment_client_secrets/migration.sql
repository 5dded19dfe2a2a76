-- Payments no longer keep the provider's client secret in plain text (src/payments/client-secret.ts):
-- replace each stored secret by its SHA-256 digest, which is all the hosted pages need.
UPDATE "payments"
   SET "metadata" = ("metadata" - 'clientSecret')
       || jsonb_build_object(
            'clientSecretSha256',
            CASE WHEN jsonb_typeof("metadata" -> 'clientSecret') = 'string'
                 THEN encode(sha256(convert_to("metadata" ->> 'clientSecret', 'UTF8')), 'hex')
            END)
 WHERE "metadata" ? 'clientSecret';
