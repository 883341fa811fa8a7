-- SPDX-License-Identifier: GPL-2.0-or-later
-- 0002_api: what the REST and media-nommer front ends of apid record on a
-- media.  want_settings ("11,15,101") and notify_url are read by metadatad
-- on metadata success (it creates the transcodes and one transcode job);
-- idempotency_key makes a retried submission find the first one; priority
-- is copied onto the media's jobs.  job_options is a media-nommer job's
-- outfile_options mapped onto the engine: a site-setting JSON object
-- (docs/media.md) plus "dest_path".  REST and media-nommer media have
-- remote_id = -id (OMKT ids are never negative).
ALTER TABLE media
  ADD COLUMN want_settings   VARCHAR(255) NULL,
  ADD COLUMN notify_url      VARCHAR(2048) NULL,
  ADD COLUMN idempotency_key VARCHAR(64) NULL,
  ADD COLUMN priority        SMALLINT NOT NULL DEFAULT 0,
  ADD COLUMN job_options     TEXT NULL,
  ADD UNIQUE KEY uk_media_idempotency (account_id, idempotency_key);
