/*
 * problem.h — RFC 9457 problem details: the one place errors become HTTP.
 */
#ifndef QT_HTTP_PROBLEM_H
#define QT_HTTP_PROBLEM_H

#include "http/request.h"

/* Title for a status code ("Not Found"); never NULL. */
const char *problem_status_title(int status);
/* Build the problem+json body for r->problem into r->resp (replacing any
 * body) with `request_id`, and headers such as Retry-After. */
void problem_render(struct req *r);

#endif
