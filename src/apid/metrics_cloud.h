/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * metrics_cloud - the cloud tier's cluster series of GET /metrics, read
 * from the bridge's tables (db_cloud): jobs out, results waiting for
 * their holder, dead letters (zero when the tier is off); and from each
 * cluster's scaler row (db_scaler), written by the leading scaler after
 * every DescribeInstances: instances by state, how fresh that count is,
 * the last decision, the leader (none until a scaler has run).
 */
#ifndef OMKT_APID_METRICS_CLOUD_H
#define OMKT_APID_METRICS_CLOUD_H

#include "apid/sbuf.h"
#include "common/db.h"

/* metrics_cloud - append the series to @b; OMKT_EDB when the database
 * did not answer. */
int metrics_cloud(struct omkt_db *db, struct sbuf *b);

#endif
