-- SPDX-License-Identifier: GPL-2.0-or-later
-- 0008_scaler: the lease that elects the one active EC2 scaler of a
-- cluster (docs/cloud.md, "Scaler").  A candidate takes the row when it is
-- free or its lease expired, the holder renews it; last_start carries the
-- time of the latest RunInstances across a change of leader, so the new
-- one honours the cooldown (DescribeInstances is eventually consistent).
CREATE TABLE scaler_lease (
  cluster       VARCHAR(64) NOT NULL,
  holder        VARCHAR(255) NOT NULL,
  lease_until   DATETIME(3) NOT NULL,
  since         DATETIME(3) NOT NULL,
  last_start    DATETIME(3) NULL,
  PRIMARY KEY (cluster)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
