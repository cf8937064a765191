# A thin front end over CMake and ctest: `make run` and `make test` are the
# two commands a user needs. Everything else is in CMakeLists.txt.
BUILD ?= build
JOBS ?= $(shell nproc)
PLATFORM ?= qemu-virt
CMAKE_FLAGS ?=
# A VM configuration of your own (docs/vm-config.md): `make image VMS=f.dts`
# packs build/images/f.elf from it, `make run VMS=f.dts` boots that.
VMS ?=
ifeq ($(VMS),)
IMAGE = $(BUILD)/target/images/septa.elf
else
# Absolute, so that the path the packer prints is right under make -C too.
IMAGE = $(abspath $(BUILD)/images/$(basename $(notdir $(VMS))).elf)
endif

.PHONY: all deps configure build image run test bench debug format docs clean mutation

all: build

deps:
	@.ci/deps.sh

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) -DSEPTA_PLATFORM=$(PLATFORM) $(CMAKE_FLAGS)

configure: $(BUILD)/CMakeCache.txt

build: configure
	cmake --build $(BUILD) -j $(JOBS)

ifneq ($(filter image,$(MAKECMDGOALS)),)
ifeq ($(VMS),)
$(error make image: which configuration? make image VMS=path/vms.dts)
endif
endif
# Said before the build, and with where a relative path was looked for:
# make -C moves make to the tree before it reads VMS.
ifneq ($(VMS),)
ifeq ($(wildcard $(VMS)),)
$(error VMS=$(VMS): no such file in $(CURDIR) (a relative VMS is taken from the directory make works in; with make -C, give an absolute path))
endif
endif
# The packer runs every time: it takes a fraction of a second, and so no
# file the configuration names can be stale in the image.
image: build
	platforms/septa-pack --kit $(BUILD)/target/septa-kit.env -o "$(IMAGE)" "$(VMS)"

# make exits 2 when the machine's status is not 0, and its "Error N" line
# gives the status; run.sh returns it as it is.
run: $(if $(VMS),image,build)
	platforms/$(PLATFORM)/run.sh "$(IMAGE)"

debug: $(if $(VMS),image,build)
	@.ci/deps.sh --debug
	platforms/$(PLATFORM)/run.sh --gdb "$(IMAGE)"

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -LE linux-bench

# Only the figures are shown, then the report: issue 16's rows beside their
# goals (tests/bench/goals.def), also as build/bench.json. A figure over its
# goal fails nothing; a benchmark that failed, or a row missing from the log
# (a benchmark that stopped printing it), fails the target.
bench: build
	cd $(BUILD) && { ctest -R '^bench' --output-on-failure -V >bench.log; \
	  status=$$?; grep -E '^[0-9]+: (\[[a-z]+\] )?[a-z]+bench:' bench.log; echo; \
	  python3 $(CURDIR)/tests/bench/report.py bench.log bench.json; report=$$?; \
	  [ $$status -eq 0 ] || { echo "make bench: a benchmark failed (build/bench.log)" >&2; exit $$status; }; \
	  exit $$report; }

# Mutation testing (docs/mutation.md): each bug of tests/mutation/mutants.txt
# planted in a scratch copy of HEAD, one at a time, against the suites that
# cover its file. MUTANTS picks some (ids, or prefix*); it takes hours.
mutation:
	nice -n 19 tests/mutation/mutate.py --jobs $(JOBS) $(MUTANTS)

# The generated parts of docs/: ipc-api.md's invocation and error tables
# (invocations.def, abi.h) and testing.md's captest coverage table.
docs: configure
	cmake --build $(BUILD) --target ipc-api-doc captest-coverage-doc

format:
	git ls-files --cached --others --exclude-standard '*.c' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD)
