/*
 * problem.h — RFC 9457 problem details: the one place errors become HTTP.
 * Handlers record a problem with req_fail*() (http/request.h, defined in
 * problem.c); resp_problem() (http/response.h) writes it as the body.
 */
#ifndef QT_HTTP_PROBLEM_H
#define QT_HTTP_PROBLEM_H

#include "http/request.h"

/* Title for a status code ("Not Found"); never NULL. */
const char *problem_status_title(int status);

#endif
