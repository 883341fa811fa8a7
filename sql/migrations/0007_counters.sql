-- SPDX-License-Identifier: GPL-2.0-or-later
-- 0007_counters: all-time job counters for /metrics.  Counts rebuilt from
-- `jobs` went down when finished rows were purged; Prometheus counters
-- must never decrease.  One row per task and outcome (done, failed),
-- bumped in the transaction that ends the job (common/db_counters.c).
-- done rows also hold the run-time histogram (started to finished, in
-- seconds): le_N counts the jobs that ran at most N seconds.  Seeded from
-- the jobs still there.
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

INSERT INTO job_counters (task, outcome, jobs, seconds, le_1, le_5, le_30,
                          le_60, le_300, le_1800)
SELECT task, state, COUNT(*), IFNULL(SUM(d), 0), IFNULL(SUM(d <= 1), 0),
       IFNULL(SUM(d <= 5), 0), IFNULL(SUM(d <= 30), 0),
       IFNULL(SUM(d <= 60), 0), IFNULL(SUM(d <= 300), 0),
       IFNULL(SUM(d <= 1800), 0)
  FROM (SELECT task, state,
               IF(state = 'done',
                  TIMESTAMPDIFF(MICROSECOND, started, finished) / 1e6,
                  NULL) AS d
          FROM jobs WHERE state IN ('done', 'failed')) x
 GROUP BY task, state;
