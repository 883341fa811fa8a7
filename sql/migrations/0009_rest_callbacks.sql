-- SPDX-License-Identifier: GPL-2.0-or-later
-- 0009_rest_callbacks: REST callbacks (docs/callbacks.md).  external_id is
-- the CMS's own reference given with POST /v1/media, echoed in every
-- callback.  final_event records the media-level event queued for the
-- media's current round of work (media.done, media.failed,
-- media.cancelled): set by a guarded UPDATE (... AND final_event IS NULL)
-- in the transaction that ends the media, so it is queued exactly once
-- however many workers finish at the same moment; cleared by a retry.
ALTER TABLE media
  ADD COLUMN external_id VARCHAR(255) NULL,
  ADD COLUMN final_event VARCHAR(16) NULL;
