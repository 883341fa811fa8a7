-- SPDX-License-Identifier: GPL-2.0-or-later
-- 0014_proc_capacity: how many jobs a process runs at once (transcoderd:
-- its local worker threads; 0: unknown or none), so a cloud bridge can
-- tell whether the cluster's local transcoders are all busy (docs/cloud.md,
-- "Policy") from the processes alive by heartbeat and their running jobs.
-- cloud_fault: why a bridge's last send to the cloud tier failed
-- ('credentials': keys refused; 'unreachable'), '' when it did not, for
-- apid's /metrics (omkt_cloud_send_faults).
ALTER TABLE processes
  ADD COLUMN capacity INT UNSIGNED NOT NULL DEFAULT 0,
  ADD COLUMN cloud_fault VARCHAR(16) NOT NULL DEFAULT '';
