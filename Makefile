# SPDX-License-Identifier: GPL-2.0-or-later
# omkt: a cluster media transcoder speaking the OpenMediaKit protocol.
#
#   make              release build of every program into bin/
#   make check        install missing packages, sanitizer build, every test
#   make run          the whole system on this machine (see README)
#   make install      PREFIX=/usr/local DESTDIR= (binaries, sql, units, docs)
#   make fuzz         libFuzzer runs of every harness (fuzz/fuzz.mk, FUZZ_TIME)
#
# Libraries: src/common -> libomkt.a, src/media -> libomktmedia.a, and each
# program's folder but its main.c -> lib<program>.a (libapid.a ...), which
# the program links.  A unit test tests/unit/test_<program>_<x>.c links
# lib<program>.a too (test_apid_params links libapid.a); any other
# tests/unit/test_<x>.c links only the media and common libraries.  The
# fuzz harnesses fuzz/fuzz_<target>.c link every library: under BUILD=fuzz
# (clang) with libFuzzer into build/fuzz/bin/fuzz/fuzz_<target>, and in
# every build with fuzz/replay.c into $(BIN)/tests/fuzz_replay_<target>.

PREFIX     ?= /usr/local
DESTDIR    ?=
SYSCONFDIR ?= /etc
BUILD      ?= release
NPROC      ?= $(shell nproc 2>/dev/null || echo 2)

PKGS = libmariadb libavformat libavcodec libavfilter libswscale \
       libswresample libavutil libmicrohttpd jansson libcurl libzip libcrypto

CC ?= cc
WARN = -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes \
       -Wmissing-prototypes -Wvla -Wimplicit-fallthrough -fno-common \
       -fstack-protector-strong
STD  = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -D_GNU_SOURCE
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

ifeq ($(BUILD),release)
OUT    = .
MODE   = -O2 -g -D_FORTIFY_SOURCE=2
else ifeq ($(BUILD),sanitize)
OUT    = build/sanitize
MODE   = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
         -fno-sanitize-recover=undefined
else ifeq ($(BUILD),debug)
OUT    = build/debug
MODE   = -O0 -g
else ifeq ($(BUILD),fuzz)
OUT    = build/fuzz
CLANG ?= clang
CC    := $(CLANG)
MODE   = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
         -fno-sanitize-recover=undefined -fsanitize=fuzzer-no-link
else
$(error BUILD must be release, sanitize, debug or fuzz)
endif

OBJ  = $(if $(filter .,$(OUT)),build/release,$(OUT))/obj
BIN  = $(OUT)/bin
CFLAGS_ALL = $(STD) $(WARN) $(MODE) -Isrc $(PKG_CFLAGS) $(CFLAGS)
LDFLAGS_ALL = $(filter -fsanitize%,$(MODE)) $(LDFLAGS)
LIBS_ALL = $(PKG_LIBS) -lpthread -lm

DAEMONS  = apid downloaderd metadatad transcoderd notifierd
PROGRAMS = $(DAEMONS) omktctl

COMMON_SRC = $(wildcard src/common/*.c)
MEDIA_SRC  = $(wildcard src/media/*.c)
COMMON_LIB = $(OBJ)/libomkt.a
MEDIA_LIB  = $(OBJ)/libomktmedia.a
SQL_FILES  = $(sort $(wildcard sql/migrations/*.sql))
SQL_EMBED  = $(OBJ)/gen/sql_embed.c

UNIT_SRC   = $(wildcard tests/unit/test_*.c)
TOOL_SRC   = $(wildcard tests/tools/*.c)
UNIT_BINS  = $(patsubst tests/unit/%.c,$(BIN)/tests/%,$(UNIT_SRC))
TOOL_BINS  = $(patsubst tests/tools/%.c,$(BIN)/tests/%,$(TOOL_SRC))

# Fuzz harnesses (fuzz/fuzz_<target>.c); probe (the media engine's) is
# replayed by tests/media/test_fuzz_smoke.sh with generated media seeds,
# the others by tests/fuzz/test_fuzz_smoke.sh.
FUZZ_TARGETS = params nommer_map multipart router settings metadata awsresp cloudmsg pkgurl
FUZZ_LIBS    = $(OBJ)/libapid.a $(OBJ)/libnotifierd.a $(MEDIA_LIB) $(COMMON_LIB)
FUZZ_REPLAYS = $(patsubst %,$(BIN)/tests/fuzz_replay_%,$(FUZZ_TARGETS) probe)
FUZZ_BINS    = $(patsubst %,$(BIN)/fuzz/fuzz_%,$(FUZZ_TARGETS) probe)

all: $(addprefix $(BIN)/,$(PROGRAMS))
tests: all $(UNIT_BINS) $(TOOL_BINS) $(FUZZ_REPLAYS)

$(OBJ)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c -o $@ $<

$(OBJ)/gen/sql_embed.o: $(SQL_EMBED)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(SQL_EMBED): $(SQL_FILES) tools/embed-sql.sh
	@mkdir -p $(dir $@)
	sh tools/embed-sql.sh $(SQL_FILES) > $@.tmp && mv $@.tmp $@

$(COMMON_LIB): $(patsubst %.c,$(OBJ)/%.o,$(COMMON_SRC)) $(OBJ)/gen/sql_embed.o
	@rm -f $@
	$(AR) rcs $@ $^

$(MEDIA_LIB): $(patsubst %.c,$(OBJ)/%.o,$(MEDIA_SRC))
	@rm -f $@
	$(AR) rcs $@ $^

define program
$(OBJ)/lib$(1).a: $(patsubst %.c,$(OBJ)/%.o,$(filter-out src/$(1)/main.c,$(wildcard src/$(1)/*.c)))
	@rm -f $$@
	$$(AR) rcs $$@ $$^

$(BIN)/$(1): $(OBJ)/src/$(1)/main.o $(OBJ)/lib$(1).a $(MEDIA_LIB) $(COMMON_LIB)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS_ALL) -o $$@ $$^ $$(LIBS_ALL)

$(BIN)/tests/test_$(1)_%: $(OBJ)/tests/unit/test_$(1)_%.o $(OBJ)/lib$(1).a $(MEDIA_LIB) $(COMMON_LIB)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS_ALL) -o $$@ $$^ $$(LIBS_ALL)
endef
$(foreach p,$(PROGRAMS),$(eval $(call program,$(p))))

$(BIN)/tests/%: $(OBJ)/tests/unit/%.o $(MEDIA_LIB) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_ALL)

$(BIN)/tests/%: $(OBJ)/tests/tools/%.o $(MEDIA_LIB) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_ALL)

$(BIN)/tests/fuzz_replay_%: $(OBJ)/fuzz/fuzz_%.o $(OBJ)/fuzz/replay.o $(FUZZ_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_ALL)

# libFuzzer binaries: only BUILD=fuzz compiles with clang's coverage.
$(BIN)/fuzz/fuzz_%: $(OBJ)/fuzz/fuzz_%.o $(FUZZ_LIBS)
	@mkdir -p $(dir $@)
	$(if $(filter fuzz,$(BUILD)),,$(error $@ needs BUILD=fuzz))
	$(CC) $(LDFLAGS_ALL) -fsanitize=fuzzer -o $@ $^ $(LIBS_ALL)

fuzzers: $(FUZZ_BINS)

# Long libFuzzer runs: FUZZ_TIME seconds per target (see fuzz/fuzz.mk).
fuzz:
	$(MAKE) -f fuzz/fuzz.mk fuzz

sanitize:
	$(MAKE) BUILD=sanitize tests

# bench/segments: segment-parallel setting 14 through real transcoderds and
# the DB queue, whole file vs K = 1, 2, 4 (~10 min; --quick: a 30 s clip).
bench-segments: all
	bench/segments/run

# bench/scale: the EC2 scaler's decision against media-nommer's policy
# on a simulated day (outside `make check`; see bench/scale/README.md).
bench-scale: $(BIN)/bench/scale_sim
	$(BIN)/bench/scale_sim

$(BIN)/bench/scale_sim: $(OBJ)/bench/scale/scale_sim.o $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS_ALL)

# The README's test command.  Installs what is missing, builds with
# ASan/UBSan and runs unit, integration and media tests.
check:
	sh tools/ensure-deps.sh
	$(MAKE) -j$(NPROC) BUILD=sanitize tests
	$(MAKE) -j$(NPROC) tests
	$(MAKE) -j$(NPROC) BUILD=fuzz fuzzers
	OMKT_BIN=build/sanitize/bin OMKT_RELEASE_BIN=bin bash tests/run.sh

check-heavy:
	sh tools/ensure-deps.sh
	$(MAKE) BUILD=sanitize tests
	$(MAKE) tests
	$(MAKE) BUILD=fuzz fuzzers
	OMKT_HEAVY=1 OMKT_BIN=build/sanitize/bin OMKT_RELEASE_BIN=bin bash tests/run.sh

# The multi-host test alone (network namespaces; also part of `make check`).
check-cluster:
	sh tools/ensure-deps.sh
	$(MAKE) BUILD=sanitize tests
	OMKT_ONLY=cluster/ OMKT_BIN=build/sanitize/bin bash tests/run.sh

run:
	sh tools/ensure-deps.sh
	$(MAKE) all
	bash tools/run.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/sbin \
	    $(DESTDIR)$(PREFIX)/share/omkt/sql/migrations \
	    $(DESTDIR)$(SYSCONFDIR)/omkt \
	    $(DESTDIR)$(PREFIX)/lib/systemd/system $(DESTDIR)$(SYSCONFDIR)/init.d \
	    $(DESTDIR)$(PREFIX)/share/doc/omkt/docs
	install -m 0755 $(addprefix bin/,$(DAEMONS)) $(DESTDIR)$(PREFIX)/sbin/
	install -m 0755 bin/omktctl $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 sql/schema.sql $(DESTDIR)$(PREFIX)/share/omkt/sql/
	install -m 0644 $(SQL_FILES) $(DESTDIR)$(PREFIX)/share/omkt/sql/migrations/
	install -m 0640 etc/omkt.conf.example $(DESTDIR)$(SYSCONFDIR)/omkt/omkt.conf.example
	for f in initscripts/systemd/*.service; do \
	    sed 's|@SBINDIR@|$(PREFIX)/sbin|g; s|@SYSCONFDIR@|$(SYSCONFDIR)|g; s|@PREFIX@|$(PREFIX)|g' $$f \
	    > $(DESTDIR)$(PREFIX)/lib/systemd/system/$$(basename $$f); done
	for f in initscripts/sysv/*; do \
	    sed 's|@SBINDIR@|$(PREFIX)/sbin|g; s|@SYSCONFDIR@|$(SYSCONFDIR)|g; s|@PREFIX@|$(PREFIX)|g' $$f \
	    > $(DESTDIR)$(SYSCONFDIR)/init.d/$$(basename $$f); \
	    chmod 0755 $(DESTDIR)$(SYSCONFDIR)/init.d/$$(basename $$f); done
	install -m 0644 README INSTALL MULTISERVER $(DESTDIR)$(PREFIX)/share/doc/omkt/
	install -m 0644 $(wildcard docs/*) $(DESTDIR)$(PREFIX)/share/doc/omkt/docs/

format:
	clang-format -i $(shell git ls-files '*.c' '*.h')

format-check:
	clang-format --dry-run --Werror $(shell git ls-files '*.c' '*.h')

clean:
	rm -rf build bin

.PHONY: all tests fuzzers fuzz sanitize check check-heavy check-cluster run install format format-check clean bench-segments

-include $(shell find build -name '*.d' 2>/dev/null)
.SECONDARY:
