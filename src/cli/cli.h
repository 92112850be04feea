/*
 * cli.h — the command line: one file per subcommand, sharing the option
 * parser and the configuration (flags override environment variables,
 * which override defaults).  Exit codes: 0 ok, 1 failure, 2 usage.
 */
#ifndef QT_CLI_CLI_H
#define QT_CLI_CLI_H

#include "app.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

struct cli_opt {
	const char *name;      /* "db" for --db */
	int takes_value;
	const char **value;    /* where the value goes (takes_value) */
	int *flag;             /* set to 1 when present (!takes_value) */
	const char *help;
};

/* Parse argv (after the command words) against opts; positional
 * arguments land in pos[] (up to npos).  Prints usage and returns
 * EXIT_USAGE on an error or --help (then *help_shown = 1). */
int cli_parse(int argc, char **argv, const struct cli_opt *opts, size_t nopts,
	const char **pos, int npos, int *npositional, const char *usage, int *help_shown);

/* Configuration from the environment, then defaults; the command's flags
 * (already parsed into the pointers) override.  Exits 2 on a bad value. */
void cli_config(struct config *cfg, const char *db, const char *listen, const char *data_dir);

/* Open the store (and migrate it when migrate != 0).  Prints why and
 * returns NULL on failure. */
struct store *cli_open_store(const struct config *cfg, int pool, int migrate);

/* Read a password from --password or the first line of stdin
 * (--password-stdin).  Returns a malloc'd string or NULL (message printed). */
char *cli_password(const char *given, int from_stdin, const char *what);

/* Load the JWT secret and master key into app (env, else files in the data
 * directory; create them there when create != 0). */
int cli_load_secrets(struct app *app, int create);

struct tenant_rec;
/* Create a store with its owner, always a new account of the new store
 * (docs/ACCOUNTS.md), audited; used by `tenant create` and `demo`. */
int cli_tenant_create(struct store *s, const char *slug, const char *name, const char *plan,
	const char *domain, const char *email, const char *owner_name, const char *password,
	struct arena *a, struct tenant_rec *t);

/* The tenant directory (cluster.c, store/directory.h).  Placing a new
 * store: with QT_DIRECTORY_DB or a cluster named, cli_tenant_place picks
 * the cluster (that one, else the one with the fewest stores) and returns
 * 1 with its owner URL in *out; 0 when there is no directory (create on
 * QT_DB as before); -1 on a problem (printed).  cli_tenant_placed records
 * the created store there (0 or -1); cli_placement_release frees *out. */
struct dir_conn;
struct cli_placement {
	struct dir_conn *dir;
	char cluster[64];
	char *owner_url;
};
int cli_tenant_place(const char *cluster, struct cli_placement *out);
int cli_tenant_placed(struct cli_placement *p, const struct tenant_rec *t);
void cli_placement_release(struct cli_placement *p);
/* After `tenant delete`: the directory forgets the store (0 also without
 * a directory, -1 on a problem, printed). */
int cli_tenant_deleted(const char *tenant_id);
/* `tenant move SLUG --to CLUSTER | --rollback` (argv after "move"). */
int cli_tenant_move(int argc, char **argv);

int cmd_cluster(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_tenant(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_operator(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_wa_send(int argc, char **argv);
int cmd_reminders(int argc, char **argv);
int cmd_keys(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_import(int argc, char **argv);

#endif
