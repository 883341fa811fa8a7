-- SPDX-License-Identifier: GPL-2.0-or-later
-- schema.sql - the complete current schema, for reading and reference.
-- `omktctl db init` builds the same thing by applying sql/migrations/ in
-- order (tests/integration/test_schema.sh checks they agree).  Requires
-- MariaDB >= 10.6 or MySQL >= 8.0.

CREATE TABLE schema_migrations (
  version       INT UNSIGNED NOT NULL,
  name          VARCHAR(128) NOT NULL,
  applied       DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE accounts (
  id            INT UNSIGNED NOT NULL AUTO_INCREMENT,
  email         VARCHAR(255) NOT NULL,
  api_key       CHAR(32) NOT NULL,
  client_key    VARCHAR(32) NOT NULL DEFAULT '',
  url           VARCHAR(1024) NOT NULL DEFAULT '',
  adapters      VARCHAR(255) NOT NULL DEFAULT 'http',
  rate_limit    INT UNSIGNED NOT NULL DEFAULT 600,
  enabled       TINYINT(1) NOT NULL DEFAULT 1,
  is_admin      TINYINT(1) NOT NULL DEFAULT 0,
  created       DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  cron_last     DATETIME NULL,
  cron_last_ok  DATETIME NULL,
  publish_to    VARCHAR(1024) NOT NULL DEFAULT '',
  cors_origins  VARCHAR(1024) NOT NULL DEFAULT '',
  PRIMARY KEY (id),
  UNIQUE KEY uk_accounts_api_key (api_key),
  KEY k_accounts_email (email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE media (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  account_id    INT UNSIGNED NOT NULL,
  remote_id     BIGINT NOT NULL,
  url           VARCHAR(2048) NOT NULL,
  adapter       VARCHAR(32) NOT NULL DEFAULT 'http',
  do_metadata   TINYINT(1) NOT NULL DEFAULT 1,
  state         ENUM('remote','local','metadata_ok','metadata_failed',
                     'download_failed','expired') NOT NULL DEFAULT 'remote',
  path          VARCHAR(255) NULL,
  file_size     BIGINT UNSIGNED NULL,
  metadata      MEDIUMTEXT NULL,
  error         VARCHAR(1024) NULL,
  created       DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated       DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
                ON UPDATE CURRENT_TIMESTAMP,
  want_settings   VARCHAR(255) NULL,
  notify_url      VARCHAR(2048) NULL,
  idempotency_key VARCHAR(64) NULL,
  priority        SMALLINT NOT NULL DEFAULT 0,
  job_options     TEXT NULL,
  external_id     VARCHAR(255) NULL,
  final_event     VARCHAR(16) NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_media_remote (account_id, remote_id),
  UNIQUE KEY uk_media_idempotency (account_id, idempotency_key),
  KEY k_media_state_created (state, created),
  CONSTRAINT fk_media_account FOREIGN KEY (account_id) REFERENCES accounts (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE transcodes (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  media_id      BIGINT UNSIGNED NOT NULL,
  setting_id    INT UNSIGNED NOT NULL,
  state         ENUM('asked','running','processed','error','cancelled',
                     'expired') NOT NULL DEFAULT 'asked',
  progress      TINYINT UNSIGNED NOT NULL DEFAULT 0,
  cardinality   INT UNSIGNED NOT NULL DEFAULT 0,
  path          VARCHAR(255) NULL,
  metadata      MEDIUMTEXT NULL,
  error         VARCHAR(1024) NULL,
  created       DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated       DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
                ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (id),
  UNIQUE KEY uk_transcodes_media_setting (media_id, setting_id),
  CONSTRAINT fk_transcodes_media FOREIGN KEY (media_id) REFERENCES media (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The shared queue.  Claims scan k_jobs_claim: (task, state) first, so
-- done, failed and delayed rows sit in other ranges and never slow it.
-- A job with a future not-before time is 'delayed' and is promoted to
-- 'queued' when due (k_jobs_due).  Reapers scan the few 'running' rows of
-- k_jobs_due; lease_until has no index of its own, so renewing a lease
-- (every heartbeat) and claiming touch one secondary index less.
-- k_jobs_fair lets the claim pick, among equal priorities, the account
-- with the fewest running jobs of the task (one index dive per account).
CREATE TABLE jobs (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  task          ENUM('download','metadata','transcode','notify',
                     'maintenance','test') NOT NULL,
  state         ENUM('queued','delayed','running','done','failed',
                     'cancelled','waiting') NOT NULL DEFAULT 'queued',
  priority      SMALLINT NOT NULL DEFAULT 0,
  run_after     DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  account_id    INT UNSIGNED NULL,
  media_id      BIGINT UNSIGNED NULL,
  transcode_id  BIGINT UNSIGNED NULL,
  parent_id     BIGINT UNSIGNED NULL,
  payload       TEXT NULL,
  worker_id     BIGINT UNSIGNED NULL,
  attempts      SMALLINT UNSIGNED NOT NULL DEFAULT 0,
  max_attempts  SMALLINT UNSIGNED NOT NULL DEFAULT 5,
  lease_until   DATETIME(3) NULL,
  progress      TINYINT UNSIGNED NOT NULL DEFAULT 0,
  tmp_dir       VARCHAR(255) NULL,
  error_code    INT NULL,
  error         VARCHAR(1024) NULL,
  created       DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  started       DATETIME(3) NULL,
  finished      DATETIME(3) NULL,
  PRIMARY KEY (id),
  KEY k_jobs_claim (task, state, priority DESC, id),
  KEY k_jobs_due (state, run_after),
  KEY k_jobs_media (media_id),
  KEY k_jobs_finished (finished),
  KEY k_jobs_fair (task, state, account_id, priority, id),
  KEY k_jobs_parent (parent_id),
  CONSTRAINT fk_jobs_parent FOREIGN KEY (parent_id) REFERENCES jobs (id)
    ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Segment-parallel transcoding (0015): what each child job of a split
-- transcode makes.  seg 0, 1, ...: the video of [start_us, end_us) (end_us
-- NULL: to the end); seg -1: the whole audio.  length_us weighs the
-- parent's progress; frames is what the child encoded.
CREATE TABLE job_segments (
  job_id        BIGINT UNSIGNED NOT NULL,
  parent_id     BIGINT UNSIGNED NOT NULL,
  seg           INT NOT NULL,
  start_us      BIGINT NOT NULL,
  end_us        BIGINT NULL,
  length_us     BIGINT NOT NULL,
  frames        BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (job_id),
  UNIQUE KEY uk_job_segments (parent_id, seg),
  CONSTRAINT fk_job_segments_job FOREIGN KEY (job_id) REFERENCES jobs (id)
    ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE api_calls (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  account_id    INT UNSIGNED NULL,
  action        VARCHAR(64) NOT NULL,
  application   VARCHAR(128) NOT NULL DEFAULT '',
  version       VARCHAR(64) NOT NULL DEFAULT '',
  code          SMALLINT NOT NULL,
  remote_addr   VARCHAR(64) NOT NULL DEFAULT '',
  created       DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  KEY k_api_calls_account (account_id, created),
  KEY k_api_calls_created (created)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Calls per account and wall-clock minute (unix time DIV 60), summed over
-- every apid: the cluster-wide rate limit.  Only the last few minutes are
-- kept.
CREATE TABLE api_rate (
  account_id    INT UNSIGNED NOT NULL,
  minute        INT UNSIGNED NOT NULL,
  calls         INT UNSIGNED NOT NULL,
  PRIMARY KEY (account_id, minute)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per running program on any host.  jobs.worker_id points here, so
-- an owner is unique cluster-wide even when two hosts reuse a pid.
CREATE TABLE processes (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  host          VARCHAR(255) NOT NULL,
  pid           INT UNSIGNED NOT NULL,
  role          VARCHAR(32) NOT NULL,
  state         ENUM('running','draining','stopped','dead') NOT NULL
                DEFAULT 'running',
  current_job   BIGINT UNSIGNED NULL,
  version       VARCHAR(32) NOT NULL DEFAULT '',
  started       DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  heartbeat     DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  stopped       DATETIME NULL,
  capacity      INT UNSIGNED NOT NULL DEFAULT 0,
  cloud_fault   VARCHAR(16) NOT NULL DEFAULT '',
  PRIMARY KEY (id),
  KEY k_processes_state (state, heartbeat),
  KEY k_processes_host (host, state)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Hosts an operator drained: processes starting there refuse to claim.
CREATE TABLE drained_hosts (
  host          VARCHAR(255) NOT NULL,
  created       DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (host)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The bridge's jobs out in the cloud tier and their results (0006).
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

-- All-time job counters for /metrics (never decrease, unlike counts over
-- `jobs`, whose finished rows are purged): one row per task and outcome,
-- bumped in the transaction that ends the job.  done rows hold the
-- run-time histogram: le_N counts the jobs that ran at most N seconds.
CREATE TABLE job_counters (
  task          VARCHAR(32) NOT NULL,
  outcome       VARCHAR(16) NOT NULL,
  jobs          BIGINT UNSIGNED NOT NULL DEFAULT 0,
  seconds       DOUBLE NOT NULL DEFAULT 0,
  le_1          BIGINT UNSIGNED NOT NULL DEFAULT 0,
  le_5          BIGINT UNSIGNED NOT NULL DEFAULT 0,
  le_30         BIGINT UNSIGNED NOT NULL DEFAULT 0,
  le_60         BIGINT UNSIGNED NOT NULL DEFAULT 0,
  le_300        BIGINT UNSIGNED NOT NULL DEFAULT 0,
  le_1800       BIGINT UNSIGNED NOT NULL DEFAULT 0,
  PRIMARY KEY (task, outcome)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The lease electing the one active EC2 scaler of a cluster (0008), and
-- what its leader last saw: instances by state, its decision (0010).
CREATE TABLE scaler_lease (
  cluster       VARCHAR(64) NOT NULL,
  holder        VARCHAR(255) NOT NULL,
  lease_until   DATETIME(3) NOT NULL,
  since         DATETIME(3) NOT NULL,
  last_start    DATETIME(3) NULL,
  seen_at       DATETIME(3) NULL,
  pending       INT NOT NULL DEFAULT 0,
  running       INT NOT NULL DEFAULT 0,
  shutting_down INT NOT NULL DEFAULT 0,
  stopping      INT NOT NULL DEFAULT 0,
  stopped       INT NOT NULL DEFAULT 0,
  wanted        INT NOT NULL DEFAULT 0,
  PRIMARY KEY (cluster)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
