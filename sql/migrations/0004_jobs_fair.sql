-- SPDX-License-Identifier: GPL-2.0-or-later
-- 0004_jobs_fair: the claim serves, among queued jobs of equal priority,
-- the account with the fewest running jobs of the task (per-account
-- fairness).  This index lets it read one row per account with queued jobs
-- (a loose index scan) and lock that account's first queued job without
-- walking other accounts' rows.
ALTER TABLE jobs ADD KEY k_jobs_fair (task, state, account_id, priority, id);
