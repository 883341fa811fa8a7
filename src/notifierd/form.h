/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * form - the body of a form callback (common/notify.h kind "form"): an
 * application/x-www-form-urlencoded "name=value&..." of ordered pairs.
 * Pure: no I/O, unit-tested (tests/unit/test_notifierd_form.c).
 */
#ifndef OMKT_NOTIFIERD_FORM_H
#define OMKT_NOTIFIERD_FORM_H

#include <jansson.h>

/*
 * form_encode - @fields (borrowed: an array of [name, value] string
 * pairs) as "n1=v1&n2=v2", in order, each name and value percent-encoded
 * (RFC 3986 unreserved characters kept; a space is %20, which every form
 * parser reads as a space).  Returns a new string (free()), "" for an
 * empty array, or NULL when @fields is not such an array.
 */
char *form_encode(json_t *fields);

#endif
