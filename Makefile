# QuantumTrack build.  `make` builds ./quantumtrack; `make run` and `make test`
# are the two commands the README starts with.  Everything under src/ except
# main.c goes into build/libqt.a, so unit tests and fuzz targets link the same
# code the binary runs.

PKGS     := libmicrohttpd jansson sqlite3 libsodium libcurl libpq libcrypto pangocairo libqrencode
CC       ?= gcc
# -Wconversion is left out: libmicrohttpd, jansson and libpq size types make it
# noisy without catching bugs the money module's explicit overflow checks miss.
WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wformat=2 -Wvla -Wwrite-strings -Wno-format-nonliteral
HARDEN   := -fstack-protector-strong -D_FORTIFY_SOURCE=3
CFLAGS   ?= -O2 -g
# util/banned.h turns calls of strcpy, sprintf, gmtime & co. into compile
# errors; it is force-included so no file can forget it.
BANNED   := -include src/util/banned.h
CFLAGS   += -std=c17 -D_GNU_SOURCE $(WARN) -Isrc -MMD -MP $(BANNED)
LDFLAGS  += -Wl,-z,relro,-z,now
WERROR   ?= 1
ifeq ($(WERROR),1)
CFLAGS   += -Werror
endif

ifdef SANITIZE
BUILD    ?= build/san
CFLAGS   += -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDFLAGS  += -fsanitize=address,undefined
else
BUILD    ?= build/rel
CFLAGS   += $(HARDEN)
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
CFLAGS     += $(PKG_CFLAGS)

# The binary loads these when it first calls them, not at start (a server
# on SQLite never does; cairo, pango and libqrencode when it first draws a
# PDF statement or a QR code): src/util/lazylib.h.  LAZY_LIBS=0 links them as
# usual; unit tests and fuzz targets always do.  x86-64 only.
LAZY_PKGS  := libpq libcurl libcrypto pangocairo libqrencode
LAZY_LIBS  ?= $(if $(filter x86_64%,$(shell $(CC) -dumpmachine)),1,0)
ifeq ($(LAZY_LIBS),1)
BIN_OBJ    := $(BUILD)/lazy_trampolines.o
BIN_LIBS   := $(shell pkg-config --libs $(filter-out $(LAZY_PKGS),$(PKGS)) 2>/dev/null) -lpthread -lm
else
BIN_OBJ    :=
BIN_LIBS   := $(PKG_LIBS)
endif

LIB_SRC  := $(shell find src -name '*.c' ! -name main.c | sort)
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
WEB_SRC  := $(shell find web -type f ! -name '*.map' 2>/dev/null | sort)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)

.PHONY: all quantumtrack run run-pg test test-scale unit deps deps-pg deps-test fuzz fuzz-build fuzz-smoke clean bench bench-tz
all: quantumtrack

deps:
	@scripts/setup.sh run

deps-pg:
	@scripts/setup.sh run-pg

deps-test:
	@scripts/setup.sh test

# Phony so that switching between SANITIZE=1 and normal builds always
# leaves the matching binary at ./quantumtrack.
quantumtrack: $(BUILD)/quantumtrack
	@cmp -s $< $@ || { cp $< $@.tmp && mv -f $@.tmp $@; }

$(BUILD)/quantumtrack: $(BUILD)/src/main.o $(BIN_OBJ) $(BUILD)/libqt.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(BIN_LIBS)

$(BUILD)/lazy_trampolines.S: scripts/lazy-libs.sh $(BUILD)/src/main.o $(BUILD)/libqt.a
	scripts/lazy-libs.sh "$(CC)" "$(LAZY_PKGS)" $(BUILD)/src/main.o $(BUILD)/libqt.a > $@.tmp
	@mv -f $@.tmp $@

$(BUILD)/lazy_trampolines.o: $(BUILD)/lazy_trampolines.S
	$(CC) -c -o $@ $<

$(BUILD)/libqt.a: $(LIB_OBJ) $(BUILD)/webassets.o $(BUILD)/openapi_schemas.o
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

# The SQL driver and the transaction's fields are private to src/store/
# (store/db.h, store/store_internal.h refuse to compile elsewhere).
$(BUILD)/src/store/%.o: CFLAGS += -DQT_STORE_PRIVATE

# The web app is embedded into the binary: one file deploys the whole product.
# So is the API reference at /docs (apidocs/), drawn by Redoc, whose bundle is
# taken from node_modules at build time (`npm ci`; never copied into the repo).
REDOC_JS := node_modules/redoc/bundles/redoc.standalone.js
DOCS_SRC := $(shell find apidocs -type f 2>/dev/null | sort)

$(BUILD)/webassets.c: scripts/embed-web.sh $(WEB_SRC) $(DOCS_SRC) $(REDOC_JS)
	@mkdir -p $(dir $@)
	scripts/embed-web.sh web /docs=apidocs /docs/redoc.standalone.js=$(REDOC_JS) > $@.tmp
	@mv -f $@.tmp $@

$(REDOC_JS):
	@echo "$@ is missing (the API reference at /docs embeds it)." >&2
	@echo "Install the npm packages first:  npm ci   (or: make deps)" >&2
	@exit 1

$(BUILD)/webassets.o: $(BUILD)/webassets.c
	$(CC) $(CFLAGS) -Wno-missing-prototypes -c -o $@ $<

# The OpenAPI schemas (src/api/openapi_schemas.json, merged with the route
# table by api/openapi.c) are embedded the same way.
$(BUILD)/openapi_schemas.c: scripts/embed-file.sh src/api/openapi_schemas.json
	@mkdir -p $(dir $@)
	scripts/embed-file.sh openapi_schemas_json src/api/openapi_schemas.json > $@

$(BUILD)/openapi_schemas.o: $(BUILD)/openapi_schemas.c
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libqt.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(BUILD)/libqt.a $(LDFLAGS) $(PKG_LIBS)

# test_banned compiles snippets with this build's compiler (and clang) to
# prove util/banned.h refuses each banned call.
$(BUILD)/tests/test_banned: tests/unit/test_banned.c src/util/banned.h $(BUILD)/libqt.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -DQT_CC='"$(CC)"' -DQT_SRC_DIR='"$(CURDIR)/src"' \
	  -DQT_PKG_CFLAGS='"$(PKG_CFLAGS)"' -o $@ $< $(BUILD)/libqt.a $(LDFLAGS) $(PKG_LIBS)

unit: $(UNIT_BIN)
	@scripts/run-unit.sh $(UNIT_BIN)

run: deps quantumtrack
	./quantumtrack demo --data-dir ./data
	./quantumtrack serve --data-dir ./data --listen 127.0.0.1:8080

# The SaaS shape: a local PostgreSQL cluster in ./data/pg (kept across runs),
# migrated by its owner role, the demo store, and the server connected as the
# app role on 127.0.0.1:8080.  See scripts/run-pg.sh.
run-pg: deps-pg quantumtrack
	scripts/run-pg.sh

test: deps-test
	@$(MAKE) --no-print-directory quantumtrack $(UNIT_BIN)
	@scripts/test-all.sh $(BUILD)

# Past one machine (issue 14): several servers behind nginx
# (deploy/nginx.conf), streaming replicas made with pg_basebackup -R, the
# systemd unit, tenants over several clusters: each file under
# tests/scale/ starts what it needs.
.PHONY: test-scale
test-scale: deps-test quantumtrack
	QT_BIN=$(CURDIR)/quantumtrack node --test --test-concurrency=1 tests/scale/

# libFuzzer targets, built with clang over the same sources.
FUZZ_BUILD := build/fuzz
FUZZ_CFLAGS := -std=c17 -D_GNU_SOURCE -g -O1 -Isrc -MMD -MP $(BANNED) $(PKG_CFLAGS) \
               -fsanitize=fuzzer-no-link,address,undefined
FUZZ_OBJ := $(LIB_SRC:%.c=$(FUZZ_BUILD)/%.o)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_BUILD)/%)

$(FUZZ_BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_BUILD)/src/store/%.o: FUZZ_CFLAGS += -DQT_STORE_PRIVATE

$(FUZZ_BUILD)/webassets.o: $(BUILD)/webassets.c
	clang $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_BUILD)/openapi_schemas.o: $(BUILD)/openapi_schemas.c
	clang $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_BUILD)/libqt.a: $(FUZZ_OBJ) $(FUZZ_BUILD)/webassets.o $(FUZZ_BUILD)/openapi_schemas.o
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_BUILD)/libqt.a
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_BUILD)/libqt.a $(PKG_LIBS)

fuzz-build: $(FUZZ_BIN)

# Brief run of every target on its committed corpus (part of `make test`).
fuzz-smoke: $(FUZZ_BIN)
	@scripts/fuzz-smoke.sh $(FUZZ_BIN)

# Longer run: make fuzz FUZZ_SECONDS=300
FUZZ_SECONDS ?= 60
fuzz: $(FUZZ_BIN)
	@for f in $(FUZZ_BIN); do n=$$(basename $$f); mkdir -p tests/fuzz/corpus/$${n#fuzz_}; \
	  $$f -max_total_time=$(FUZZ_SECONDS) tests/fuzz/corpus/$${n#fuzz_} || exit 1; done

bench: quantumtrack
	bench/ledger.sh

# util/tz.c against GLib and ICU (needs libglib2.0-dev libicu-dev; see util/tz.h).
bench-tz:
	bench/tz.sh

clean:
	rm -rf build quantumtrack

-include $(LIB_OBJ:.o=.d) $(BUILD)/src/main.d $(FUZZ_OBJ:.o=.d)
