# Thin wrapper around meson/ninja. `make demo` and `make check` set themselves up.
BUILD      ?= build
BUILD_ASAN ?= build-asan
BUILD_FUZZ ?= build-fuzz
PYTEST     ?= /usr/bin/python3 -m pytest

.PHONY: all deps build check unit asan asan-escapes integration demo bench fuzz fuzz-smoke format clean

all: build

deps:
	@scripts/deps.sh

$(BUILD)/build.ninja:
	@scripts/deps.sh build
	meson setup $(BUILD) --buildtype=release -Db_ndebug=false

build: $(BUILD)/build.ninja
	ninja -C $(BUILD)

$(BUILD_ASAN)/build.ninja:
	meson setup $(BUILD_ASAN) --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false

unit: build
	meson test -C $(BUILD) --print-errorlogs

asan: $(BUILD_ASAN)/build.ninja
	ninja -C $(BUILD_ASAN)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		meson test -C $(BUILD_ASAN) --print-errorlogs

integration: build
	HULL=$(CURDIR)/$(BUILD)/hull $(PYTEST) -q -ra

# The escape suite again, with the runtime built with ASan+UBSan. LeakSanitizer stays off here:
# its stop-the-world tracer cannot follow a process that joined the container's pid namespace.
asan-escapes: $(BUILD_ASAN)/build.ninja
	ninja -C $(BUILD_ASAN)
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		HULL=$(CURDIR)/$(BUILD_ASAN)/hull $(PYTEST) -q -ra tests/escapes

check: deps build unit asan integration asan-escapes fuzz-smoke

fuzz: $(BUILD_FUZZ)/build.ninja
	ninja -C $(BUILD_FUZZ)

$(BUILD_FUZZ)/build.ninja:
	CC=clang meson setup $(BUILD_FUZZ) --buildtype=debug -Dfuzz=true -Db_lundef=false

fuzz-smoke: fuzz
	scripts/fuzz.sh $(BUILD_FUZZ) 10

demo: deps build
	scripts/demo.sh $(CURDIR)/$(BUILD)/hull

bench: deps build
	bench/run.sh $(CURDIR)/$(BUILD)/hull
	bench/images.sh $(CURDIR)/$(BUILD)/hull
	bench/scan.sh $(CURDIR)/$(BUILD)/hull
	bench/audit.sh $(CURDIR)/$(BUILD)
	bench/trust.sh $(CURDIR)/$(BUILD)/hull

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_FUZZ)
