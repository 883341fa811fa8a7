/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * server - the libmicrohttpd daemon of apid: the request life cycle, the
 * reply helpers every handler answers with, and the pool of database
 * connections.
 */
#ifndef OMKT_APID_SERVER_H
#define OMKT_APID_SERVER_H

#include <jansson.h>
#include <microhttpd.h>

#include "apid/apid.h"
#include "common/err.h"

/* apid_db - the request's connection (borrowed until the request ends),
 * or NULL when none can be made (then answer 503). */
struct omkt_db *apid_db(struct apid_req *r);

/* apid_db_alive - apid_db(), or NULL when it does not answer a ping:
 * for pages that must say "database unreachable" rather than show
 * empty tables. */
struct omkt_db *apid_db_alive(struct apid_req *r);

/* apid_db_get / apid_db_put - a pooled connection for other threads. */
struct omkt_db *apid_db_get(struct apid *a);
void apid_db_put(struct apid *a, struct omkt_db *db);

/* apid_reply_json - send @body (stolen) with @status; a NULL @body or
 * one that cannot be sent becomes a logged 500 with a JSON body. */
enum MHD_Result apid_reply_json(struct apid_req *r, unsigned status,
                                json_t *body);

/* apid_reply_text - send @text (stolen: free()) as @type with @status,
 * not cached; one that cannot be sent becomes a logged 500. */
enum MHD_Result apid_reply_text(struct apid_req *r, unsigned status, char *text,
                                const char *type);

/* apid_reply_error - {"error":{"code":@code,"message":@msg}}. */
enum MHD_Result apid_reply_error(struct apid_req *r, unsigned status,
                                 const char *code, const char *msg);

/* apid_queue - queue @resp (destroyed here) with @status; a NULL @resp
 * (it could not be built) becomes a logged 500 with a JSON body. */
enum MHD_Result apid_queue(struct apid_req *r, unsigned status,
                           struct MHD_Response *resp);

/* apid_header - a request header (borrowed), or NULL. */
const char *apid_header(struct apid_req *r, const char *name);

/* apid_remote_addr - the peer address as text into @buf. */
void apid_remote_addr(struct apid_req *r, char *buf, size_t size);

/* server_start / server_quiesce / server_stop - the MHD daemon. */
int server_start(struct apid *a, struct omkt_errbuf *eb);
void server_quiesce(struct apid *a);
void server_stop(struct apid *a);

#endif
