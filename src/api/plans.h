/*
 * plans.h — a plan as the API shows it (api/plans.c), for the operator's
 * plan routes and the store's own usage (api/usage.c).
 */
#ifndef QT_API_PLANS_H
#define QT_API_PLANS_H

#include <jansson.h>

#include "store/store_plans.h"

/* {name, customer_limit (null = unlimited), storage_mb, requests_per_min
 * (null = unlimited), features: [names], updated_at}: a new reference. */
json_t *api_plan_json(const struct plan_rec *p);

#endif
