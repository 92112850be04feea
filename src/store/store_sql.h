/*
 * store_sql.h — SQL fragments shared by the store modules (the .c files in
 * src/store only).  Written once so every reader agrees on what they mean.
 */
#ifndef QT_STORE_SQL_H
#define QT_STORE_SQL_H

/* Private to src/store/ (the Makefile defines QT_STORE_PRIVATE for those
 * files; a unit test that reaches inside defines it itself). */
#ifndef QT_STORE_PRIVATE
#error "store/store_sql.h is private to src/store/: use the typed functions of store/store*.h"
#endif

/* The entry aliased `t` has not been undone by a reversal. */
#define SQL_NOT_REVERSED \
	" NOT EXISTS (SELECT 1 FROM transactions x" \
	" WHERE x.tenant_id = t.tenant_id AND x.reverses_id = t.id)"

#endif
