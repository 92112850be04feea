/*
 * store_sql.h — SQL fragments shared by the store modules (the .c files in
 * src/store only).  Written once so every reader agrees on what they mean.
 */
#ifndef QT_STORE_SQL_H
#define QT_STORE_SQL_H

/* The entry aliased `t` has not been undone by a reversal. */
#define SQL_NOT_REVERSED \
	" NOT EXISTS (SELECT 1 FROM transactions x" \
	" WHERE x.tenant_id = t.tenant_id AND x.reverses_id = t.id)"

#endif
