-- SPDX-License-Identifier: GPL-2.0-or-later
-- 0010_scaler_seen: what the leading EC2 scaler of a cluster last saw and
-- decided, for apid's /metrics (apid never calls AWS: the database is the
-- only place it can learn the instance counts from).  The leader writes
-- the row it holds after each DescribeInstances; seen_at says how fresh
-- the counts are.
ALTER TABLE scaler_lease
  ADD COLUMN seen_at       DATETIME(3) NULL,
  ADD COLUMN pending       INT NOT NULL DEFAULT 0,
  ADD COLUMN running       INT NOT NULL DEFAULT 0,
  ADD COLUMN shutting_down INT NOT NULL DEFAULT 0,
  ADD COLUMN stopping      INT NOT NULL DEFAULT 0,
  ADD COLUMN stopped       INT NOT NULL DEFAULT 0,
  ADD COLUMN wanted        INT NOT NULL DEFAULT 0;
