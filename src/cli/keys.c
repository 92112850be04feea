/*
 * keys.c — `quantumtrack keys rotate`: re-seal every store's WhatsApp
 * provider secrets under a new master key.
 *
 * The old key is the one the server uses (QT_MASTER_KEY, else the data
 * directory's development key file); the new one comes from
 * QT_NEW_MASTER_KEY or --new-key-file, in the same formats
 * (secret_key_from_string).  Everything happens in one platform write
 * transaction over all stores: when any store's secrets do not open with
 * the old key, nothing changes and the command names the stores and exits
 * 1.  Each re-sealed store gets an audit row (settings.secrets_resealed,
 * with the names of its secrets, never their values).
 *
 * When the old key came from the data directory (QT_MASTER_KEY unset),
 * that file is replaced by the new key after the commit, so `serve` and
 * `demo` keep working from the data directory; without a new key given, a
 * random one is made for it.  With QT_MASTER_KEY set, the file is left
 * alone and the operator starts the server with QT_MASTER_KEY=<new key>.
 * Stop the servers first: a server still running with the old key would
 * seal a secret saved afterwards under the old key.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "security/secret.h"
#include "store/store_keys.h"
#include "store/store_platform.h"
#include "util/hex.h"

#define KEY_TEXT_MAX 1024

static const struct store_actor keys_actor = { "cli", "system", "cli", "local" };

static const char usage[] =
	"usage: quantumtrack keys rotate [--new-key-file FILE] [--dry-run] [--db URL] [--data-dir DIR]\n\n"
	"Re-seal every store's WhatsApp provider secrets under a new master key, in\n"
	"one transaction: all stores or none.  The old key is QT_MASTER_KEY (else the\n"
	"data directory's master_key file); the new key is QT_NEW_MASTER_KEY or the\n"
	"first line of --new-key-file, 64 hex digits or at least 32 bytes.  If any\n"
	"store's secrets do not open with the old key, nothing changes and the stores\n"
	"are named (exit 1).  Stop the servers first, then start them with\n"
	"QT_MASTER_KEY set to the new key.\n\n"
	"When QT_MASTER_KEY is unset, the data directory's master_key file is replaced\n"
	"by the new key (a random one when none is given).  --dry-run only checks that\n"
	"every store's secrets open with the old key.";

static void free_key_text(char *s)
{
	if (s) {
		sodium_memzero(s, strlen(s));
		free(s);
	}
}

/* The first line of a key file, malloc'd; NULL with a message. */
static char *read_key_file(const char *path, int quiet_missing)
{
	char buf[KEY_TEXT_MAX + 2];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (!(quiet_missing && errno == ENOENT))
			fprintf(stderr, "quantumtrack: keys: cannot read %s: %s\n", path, strerror(errno));
		return NULL;
	}
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n < 0) {
		fprintf(stderr, "quantumtrack: keys: cannot read %s: %s\n", path, strerror(errno));
		return NULL;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	char *out = strdup(buf);
	sodium_memzero(buf, sizeof buf);
	return out;
}

/* Write key text to path (0600, replacing it) with a trailing newline. */
static int write_key_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	size_t n = strlen(text);
	if (fd < 0 || fchmod(fd, 0600) != 0 || write(fd, text, n) != (ssize_t)n ||
	    write(fd, "\n", 1) != 1 || fsync(fd) != 0) {
		fprintf(stderr, "quantumtrack: keys: cannot write %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(path);
		return -1;
	}
	return close(fd);
}

/* A JSON array of the names in an opened secrets object (sorted: jansson
 * dumps with JSON_SORT_KEYS, and the settings API sealed them so). */
static json_t *secret_names(const char *plaintext)
{
	json_t *names = json_array();
	json_t *o = json_loads(plaintext, 0, NULL);
	const char *key;
	json_t *v;
	json_object_foreach(o, key, v) {
		size_t i = 0, n = json_array_size(names);
		while (i < n && strcmp(json_string_value(json_array_get(names, i)), key) < 0)
			i++;
		json_array_insert_new(names, i, json_string(key));
		if (json_is_string(v))
			sodium_memzero((void *)(uintptr_t)json_string_value(v), json_string_length(v));
	}
	json_decref(o);
	return names;
}

/* Re-seal every store's secrets in one transaction.  EXIT_OK, or EXIT_FAIL
 * with nothing changed.  With key_file, the new key is written beside it
 * before the commit and renamed over it after. */
static int rotate(struct store *s, const uint8_t old_key[32], const uint8_t new_key[32], int dry_run,
	const char *key_file, const char *new_key_text)
{
	struct store_tx *tx;
	struct sealed_secrets_rec *recs;
	int n, failed = 0, rc;
	char tmp_path[4300] = "";
	struct arena *a = arena_new();
	if (!a)
		abort();
	rc = store_begin_platform(s, 1, &keys_actor, &tx);
	if (rc != STORE_OK) {
		fprintf(stderr, "quantumtrack: keys: cannot begin a transaction (code %d)\n", rc);
		arena_free(a);
		return EXIT_FAIL;
	}
	rc = store_keys_sealed_list(tx, a, &recs, &n);
	if (rc != STORE_OK) {
		fprintf(stderr, "quantumtrack: keys: cannot read the stores' secrets (code %d)\n", rc);
		goto fail;
	}
	for (int i = 0; i < n; i++) {
		char *plain = secret_open(old_key, recs[i].sealed);
		if (!plain) {
			char *with_new = secret_open(new_key, recs[i].sealed);
			fprintf(stderr, "quantumtrack: keys: %s: the provider secrets do not open with the old key%s\n",
				recs[i].slug, with_new ? " (they open with the new one: already rotated?)" : "");
			secret_free(with_new);
			failed++;
			continue;
		}
		if (dry_run || failed) {
			secret_free(plain);
			continue;
		}
		char *sealed = secret_seal(new_key, plain);
		json_t *names = secret_names(plain);
		secret_free(plain);
		if (!sealed) {
			json_decref(names);
			fprintf(stderr, "quantumtrack: keys: %s: could not seal\n", recs[i].slug);
			goto fail;
		}
		rc = store_keys_sealed_replace(tx, recs[i].tenant_id, sealed);
		free(sealed);
		if (rc == STORE_OK) {
			json_t *after = json_pack("{s:o}", "whatsapp_secrets_set", names);
			rc = store_audit(tx, "settings.secrets_resealed", "settings", recs[i].tenant_id, NULL, after);
			json_decref(after);
		} else {
			json_decref(names);
		}
		if (rc != STORE_OK) {
			fprintf(stderr, "quantumtrack: keys: %s: cannot write (code %d)\n", recs[i].slug, rc);
			goto fail;
		}
	}
	if (failed) {
		fprintf(stderr, "quantumtrack: keys: %d store(s) cannot be re-sealed; nothing was changed\n", failed);
		goto fail;
	}
	if (dry_run) {
		store_rollback(tx);
		printf("%d store(s) have provider secrets; all open with the current key (nothing changed)\n", n);
		arena_free(a);
		return EXIT_OK;
	}
	if (key_file) {
		/* The new key file is complete before the commit; only the rename,
		 * which cannot half-happen, follows it. */
		snprintf(tmp_path, sizeof tmp_path, "%s.new", key_file);
		if (write_key_file(tmp_path, new_key_text) != 0)
			goto fail;
	}
	rc = store_commit(tx);
	if (rc != STORE_OK) {
		fprintf(stderr, "quantumtrack: keys: the commit failed (code %d); nothing was changed\n", rc);
		if (tmp_path[0])
			unlink(tmp_path);
		arena_free(a);
		return EXIT_FAIL;
	}
	printf("re-sealed the provider secrets of %d store(s) under the new key\n", n);
	if (key_file) {
		if (rename(tmp_path, key_file) != 0) {
			fprintf(stderr, "quantumtrack: keys: the secrets are sealed under the new key, but %s could not"
				" replace %s: %s; move it there by hand\n", tmp_path, key_file, strerror(errno));
			arena_free(a);
			return EXIT_FAIL;
		}
		printf("%s now holds the new key\n", key_file);
	} else {
		printf("start the server with QT_MASTER_KEY set to the new key\n");
	}
	arena_free(a);
	return EXIT_OK;
fail:
	store_rollback(tx);
	if (tmp_path[0])
		unlink(tmp_path);
	arena_free(a);
	return EXIT_FAIL;
}

static int keys_rotate(int argc, char **argv)
{
	const char *db = NULL, *data_dir = NULL, *new_key_file = NULL;
	int dry_run = 0;
	const struct cli_opt opts[] = {
		{ "new-key-file", 1, &new_key_file, NULL, "read the new key from this file's first line (else QT_NEW_MASTER_KEY)" },
		{ "dry-run", 0, NULL, &dry_run, "only check that every store's secrets open with the old key" },
		{ "db", 1, &db, NULL, "database URL (QT_DB)" },
		{ "data-dir", 1, &data_dir, NULL, "data directory (QT_DATA_DIR)" },
	};
	int help, rc = cli_parse(argc, argv, opts, 4, NULL, 0, NULL, usage, &help);
	if (rc != EXIT_OK)
		return help ? EXIT_OK : rc;
	struct config cfg;
	cli_config(&cfg, db, NULL, data_dir);

	char key_path[4200];
	snprintf(key_path, sizeof key_path, "%s/master_key", cfg.data_dir);
	const char *env_new = getenv("QT_NEW_MASTER_KEY");
	if (env_new && !env_new[0])
		env_new = NULL;
	if (env_new && new_key_file) {
		fprintf(stderr, "quantumtrack: keys: give the new key in QT_NEW_MASTER_KEY or --new-key-file, not both\n");
		return EXIT_USAGE;
	}
	char *old_text = cfg.master_key ? strdup(cfg.master_key) : read_key_file(key_path, 1);
	const char *key_file = cfg.master_key ? NULL : key_path;
	char *new_text = NULL;
	uint8_t old_key[32], new_key[32];
	rc = EXIT_FAIL;
	if (!old_text) {
		fprintf(stderr, "quantumtrack: keys: the current key is QT_MASTER_KEY (or %s): neither is set\n", key_path);
		goto out;
	}
	if (env_new) {
		new_text = strdup(env_new);
	} else if (new_key_file) {
		if (!(new_text = read_key_file(new_key_file, 0)))
			goto out;
	} else if (key_file && !dry_run) {
		uint8_t raw[32];
		new_text = malloc(65);
		if (!new_text)
			goto out;
		randombytes_buf(raw, sizeof raw);
		hex_encode(raw, sizeof raw, new_text);
		sodium_memzero(raw, sizeof raw);
	} else if (!dry_run) {
		fprintf(stderr, "quantumtrack: keys: the new key is required: QT_NEW_MASTER_KEY or --new-key-file\n");
		rc = EXIT_USAGE;
		goto out;
	}
	if (secret_key_from_string(old_text, old_key) < 0) {
		fprintf(stderr, "quantumtrack: keys: QT_MASTER_KEY must be 64 hex digits or at least 32 bytes\n");
		goto out;
	}
	if (new_text && secret_key_from_string(new_text, new_key) < 0) {
		fprintf(stderr, "quantumtrack: keys: the new key must be 64 hex digits or at least 32 bytes\n");
		rc = EXIT_USAGE;
		goto out;
	}
	if (!new_text)
		memcpy(new_key, old_key, sizeof new_key);
	else if (sodium_memcmp(old_key, new_key, sizeof old_key) == 0) {
		fprintf(stderr, "quantumtrack: keys: the new key is the current one\n");
		rc = EXIT_USAGE;
		goto out;
	}
	struct store *s = cli_open_store(&cfg, 1, 0);
	if (!s)
		goto out;
	rc = rotate(s, old_key, new_key, dry_run, key_file, new_text);
	store_close(s);
out:
	sodium_memzero(old_key, sizeof old_key);
	sodium_memzero(new_key, sizeof new_key);
	free_key_text(old_text);
	free_key_text(new_text);
	return rc;
}

int cmd_keys(int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "rotate") == 0)
		return keys_rotate(argc - 1, argv + 1);
	if (argc >= 1 && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0)) {
		printf("%s\n", usage);
		return EXIT_OK;
	}
	fprintf(stderr, "%s\n", usage);
	return EXIT_USAGE;
}
