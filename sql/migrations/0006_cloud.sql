-- SPDX-License-Identifier: GPL-2.0-or-later
-- 0006_cloud: the bridge's record of transcode jobs sent to cloud workers
-- (docs/cloud.md, "Bridge").  cloud_jobs holds the token of the job's
-- current send and its S3 staging keys: it outlives the bridge that wrote
-- it, so a bridge that claims the job after a crash waits for that token's
-- result instead of sending the job again.  cloud_results holds each
-- result message, stored once per (job, token) before the message is
-- deleted from SQS; only the holder of the job publishes it.
CREATE TABLE cloud_jobs (
  job_id        BIGINT UNSIGNED NOT NULL,
  token         CHAR(32) NOT NULL,
  source_uri    VARCHAR(1024) NOT NULL,
  out_prefix    VARCHAR(1024) NOT NULL,
  sent          DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  sends         INT UNSIGNED NOT NULL DEFAULT 1,
  PRIMARY KEY (job_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE cloud_results (
  job_id        BIGINT UNSIGNED NOT NULL,
  token         CHAR(32) NOT NULL,
  is_dead       TINYINT(1) NOT NULL DEFAULT 0,
  body          MEDIUMTEXT NOT NULL,
  received      DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (job_id, token)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
