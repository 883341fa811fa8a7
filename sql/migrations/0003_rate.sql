-- SPDX-License-Identifier: GPL-2.0-or-later
-- 0003_rate: the cluster-wide API rate limit.  Every apid adds the calls
-- it counted per account and wall-clock minute (unix time DIV 60) about
-- twice a second and reads back the totals of the current and previous
-- minute.  Rows older than a few minutes are deleted by the same apids,
-- so the table stays small.  No foreign key: a write here must stay cheap.
CREATE TABLE api_rate (
  account_id    INT UNSIGNED NOT NULL,
  minute        INT UNSIGNED NOT NULL,
  calls         INT UNSIGNED NOT NULL,
  PRIMARY KEY (account_id, minute)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
