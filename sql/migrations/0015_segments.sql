-- SPDX-License-Identifier: GPL-2.0-or-later
-- 0015_segments: segment-parallel transcoding (docs/media.md, "Segment-
-- parallel transcoding").  A transcode job of a long source becomes a
-- parent ('waiting' while its children run) plus one child job per
-- segment and one for the audio (jobs.parent_id), each with its own lease
-- and attempts, claimed by any transcoderd; the parent is queued again
-- to join them when every child is done.  job_segments says what each
-- child makes: seg 0, 1, ... a segment of the video [start_us, end_us)
-- (end_us NULL: to the end of the source), seg -1 the whole audio;
-- length_us weighs its share of the parent's progress; frames is what it
-- encoded.  Deleting a parent deletes its children and their rows.
ALTER TABLE jobs
  MODIFY state ENUM('queued','delayed','running','done','failed',
                    'cancelled','waiting') NOT NULL DEFAULT 'queued',
  ADD COLUMN parent_id BIGINT UNSIGNED NULL AFTER transcode_id,
  ADD KEY k_jobs_parent (parent_id),
  ADD CONSTRAINT fk_jobs_parent FOREIGN KEY (parent_id) REFERENCES jobs (id)
    ON DELETE CASCADE;

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
