-- SPDX-License-Identifier: GPL-2.0-or-later
-- 0013_stream_cors: the origins whose pages may fetch an account's
-- streaming packages (docs/streaming.md#cors): a space- or comma-separated
-- list of "scheme://host[:port]" origins, or "*"; empty: no CORS headers.
-- Set with `omktctl account cors ID ORIGINS`.
ALTER TABLE accounts
  ADD COLUMN cors_origins VARCHAR(1024) NOT NULL DEFAULT '';
