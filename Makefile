# A thin front end over CMake and ctest: `make run` and `make test` are the
# two commands a user needs. Everything else is in CMakeLists.txt.
BUILD ?= build
JOBS ?= $(shell nproc)
PLATFORM ?= qemu-virt
CMAKE_FLAGS ?=

.PHONY: all deps configure build run test bench debug format docs clean

all: build

deps:
	@.ci/deps.sh

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) -DSEPTA_PLATFORM=$(PLATFORM) $(CMAKE_FLAGS)

configure: $(BUILD)/CMakeCache.txt

build: configure
	cmake --build $(BUILD) -j $(JOBS)

run: build
	platforms/$(PLATFORM)/run.sh $(BUILD)/target/images/septa.elf

debug: build
	@.ci/deps.sh --debug
	platforms/$(PLATFORM)/run.sh --gdb $(BUILD)/target/images/septa.elf

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

bench: build
	cd $(BUILD) && ctest -R '^bench' --output-on-failure -V | grep -E '^[0-9]+: (\[[a-z]+\] )?[a-z]+bench:'

# The generated parts of docs/ (invocation tables from invocations.def).
docs: configure
	cmake --build $(BUILD) --target ipc-api-doc

format:
	git ls-files --cached --others --exclude-standard '*.c' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD)
