# SPDX-License-Identifier: GPL-2.0-or-later
# fuzz.mk - the libFuzzer target of the media engine (probe + first
# frames decode), called as `$(MAKE) -f fuzz/fuzz.mk` from the top.
#
#   make -f fuzz/fuzz.mk              build and fuzz for FUZZ_TIME seconds
#   make -f fuzz/fuzz.mk FUZZ_TIME=3600
#   make -f fuzz/fuzz.mk fuzz-build   only build build/fuzz/fuzz_probe
#
# Seeds are generated at run time (fuzz/mkseeds.sh); new inputs go to
# build/fuzz/corpus, crashes to build/fuzz/artifacts.  fuzz/corpus holds
# the (small) inputs of past findings, replayed by tests/media too.

CLANG     ?= clang
FUZZ_TIME ?= 300
FUZZ_JOBS ?= 1
FUZZ_OUT  ?= build/fuzz
FUZZ_PKGS  = libavformat libavcodec libavfilter libswscale libswresample \
             libavutil libzip jansson
FUZZ_SRC   = $(wildcard src/media/*.c) src/common/err.c src/common/alloc.c \
             src/common/log.c src/common/parse.c fuzz/fuzz_probe.c
FUZZ_FLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
             -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer \
             -fsanitize=fuzzer,address,undefined \
             -fno-sanitize-recover=undefined -Isrc \
             $(shell pkg-config --cflags $(FUZZ_PKGS))
# Parallel jobs write fuzz-N.log files into the current directory.
FUZZ_PAR   = $(if $(filter-out 1,$(FUZZ_JOBS)),-jobs=$(FUZZ_JOBS) \
             -workers=$(FUZZ_JOBS))
FUZZ_LIBS  = $(shell pkg-config --libs $(FUZZ_PKGS)) -lpthread -lm

fuzz: fuzz-build $(FUZZ_OUT)/seeds/.done
	@mkdir -p $(FUZZ_OUT)/corpus $(FUZZ_OUT)/artifacts
	ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
	$(FUZZ_OUT)/fuzz_probe -max_total_time=$(FUZZ_TIME) $(FUZZ_PAR) \
	    -max_len=65536 -rss_limit_mb=2560 \
	    -timeout=20 -artifact_prefix=$(FUZZ_OUT)/artifacts/ \
	    $(FUZZ_OUT)/corpus $(FUZZ_OUT)/seeds fuzz/corpus

fuzz-build: $(FUZZ_OUT)/fuzz_probe

$(FUZZ_OUT)/fuzz_probe: $(FUZZ_SRC) $(wildcard src/media/*.h) fuzz/fuzz.mk
	@mkdir -p $(FUZZ_OUT)
	$(CLANG) $(FUZZ_FLAGS) -o $@ $(FUZZ_SRC) $(FUZZ_LIBS)

$(FUZZ_OUT)/seeds/.done: fuzz/mkseeds.sh tests/tools/mkclip.sh
	sh fuzz/mkseeds.sh $(FUZZ_OUT)/seeds
	touch $@

.PHONY: fuzz fuzz-build
