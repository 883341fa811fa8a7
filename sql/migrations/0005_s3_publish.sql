-- SPDX-License-Identifier: GPL-2.0-or-later
-- 0005_s3_publish: an account may have its outputs published to an S3
-- prefix ("s3://bucket/prefix/", '' for none): transcoderd uploads each
-- finished output of the account's OMKT and REST media there before the
-- job is done (docs/storage.md).
ALTER TABLE accounts ADD COLUMN publish_to VARCHAR(1024) NOT NULL DEFAULT ''
  AFTER cron_last_ok;
