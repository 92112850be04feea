/*
 * items.h — the line items of a purchase: name, quantity and unit price,
 * and what they add up to.
 *
 * An item is a JSON object {"name": string, "quantity": number or decimal
 * string, "unit_price_minor": integer}.  The quantity has at most 3
 * decimals (see quantity.h); a line's total is quantity x unit price,
 * rounded half away from zero to a whole minor unit (line_total); the
 * items' total is the sum of the lines, overflow-checked.  No floating
 * point: a JSON real quantity is taken by its shortest decimal text.
 * Pure functions over jansson values, thread-safe.
 */
#ifndef QT_DOMAIN_ITEMS_H
#define QT_DOMAIN_ITEMS_H

#include <stdint.h>
#include <jansson.h>

#define ITEMS_MAX 100
#define ITEMS_NAME_MAX_CHARS 120

/* Where and why a list of items was refused.  field is the item's path as
 * the API names it: "items", "items[2]", "items[2].quantity". */
struct items_error {
	char field[64];
	char message[160];
};

/*
 * Check `items` (a JSON array of 1..ITEMS_MAX item objects, each with
 * exactly the fields name, quantity and unit_price_minor) and add them up.
 * Returns 0 with *total_minor set and, when canon is not NULL, *canon a
 * new array (the caller json_decref()s it) of
 *   {"name", "quantity" (canonical decimal string, "1.5"),
 *    "unit_price_minor", "line_total_minor"}.
 * Returns -1 with err filled (never NULL) when an item is malformed, a
 * quantity or price is out of range, or the total does not fit in int64;
 * *canon is then NULL.  Comparing the total with an amount is the caller's
 * business (items_total_mismatch).
 */
int items_check(const json_t *items, int64_t *total_minor, json_t **canon,
	struct items_error *err);

#endif
