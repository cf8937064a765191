# The host half of the build: tools, CUnit tests, Newlib, and the target
# build of this same tree, then every test registered with ctest.
include(ExternalProject)
enable_testing()

add_executable(mkbootarc libs/bootfmt/mkbootarc.c libs/bootfmt/bootarc.c)
target_include_directories(mkbootarc PRIVATE libs/bootfmt/include)
set_target_properties(mkbootarc PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tools)

# Newlib from Debian's newlib-source, configured for bare aarch64 and built
# once per build directory (ExternalProject's stamps keep it).
file(GLOB SEPTA_NEWLIB_TARBALL /usr/src/newlib/newlib-*.tar.*)
if(NOT SEPTA_NEWLIB_TARBALL)
  message(FATAL_ERROR "no Newlib source in /usr/src/newlib: apt-get install newlib-source")
endif()
list(GET SEPTA_NEWLIB_TARBALL 0 SEPTA_NEWLIB_TARBALL)
set(SEPTA_NEWLIB_PREFIX ${CMAKE_BINARY_DIR}/newlib/install)
set(cross aarch64-linux-gnu)
ExternalProject_Add(newlib
  URL ${SEPTA_NEWLIB_TARBALL}
  PREFIX ${CMAKE_BINARY_DIR}/newlib
  INSTALL_DIR ${SEPTA_NEWLIB_PREFIX}
  CONFIGURE_COMMAND <SOURCE_DIR>/configure --target=aarch64-none-elf --prefix=<INSTALL_DIR>
    --disable-multilib --disable-newlib-supplied-syscalls --disable-nls
    --enable-newlib-reent-small --enable-newlib-nano-malloc --disable-newlib-io-float
    CC_FOR_TARGET=${cross}-gcc AR_FOR_TARGET=${cross}-ar AS_FOR_TARGET=${cross}-as
    LD_FOR_TARGET=${cross}-ld RANLIB_FOR_TARGET=${cross}-ranlib NM_FOR_TARGET=${cross}-nm
    OBJDUMP_FOR_TARGET=${cross}-objdump STRIP_FOR_TARGET=${cross}-strip
    READELF_FOR_TARGET=${cross}-readelf
    "CFLAGS_FOR_TARGET=-O2 -g -fno-pie -fno-stack-protector -U__linux__ -U__gnu_linux__ -Ulinux -U_FORTIFY_SOURCE"
  BUILD_COMMAND $(MAKE) all-target-newlib
  INSTALL_COMMAND $(MAKE) install-target-newlib
  LOG_CONFIGURE ON LOG_BUILD ON LOG_INSTALL ON LOG_OUTPUT_ON_FAILURE ON)

# Debian's aarch64 libfdt (static, links with Newlib) for vmsrv: fetched as
# a package file and unpacked into the build tree, never installed.
set(SEPTA_LIBFDT_DIR ${CMAKE_BINARY_DIR}/libfdt-arm64)
if(NOT EXISTS ${SEPTA_LIBFDT_DIR}/usr/lib/aarch64-linux-gnu/libfdt.a)
  file(MAKE_DIRECTORY ${SEPTA_LIBFDT_DIR}/deb)
  execute_process(COMMAND apt-get download libfdt-dev:arm64
    WORKING_DIRECTORY ${SEPTA_LIBFDT_DIR}/deb RESULT_VARIABLE rc ERROR_VARIABLE err)
  file(GLOB deb ${SEPTA_LIBFDT_DIR}/deb/libfdt-dev_*_arm64.deb)
  if(NOT rc EQUAL 0 OR NOT deb)
    message(FATAL_ERROR "cannot fetch libfdt-dev:arm64 (${err}); as root: "
      "dpkg --add-architecture arm64 && apt-get update (make deps does this)")
  endif()
  execute_process(COMMAND dpkg-deb -x ${deb} ${SEPTA_LIBFDT_DIR} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "cannot unpack ${deb}")
  endif()
endif()

set(SEPTA_TARGET_TOOLCHAIN ${CMAKE_SOURCE_DIR}/platforms/toolchain-aarch64-gcc.cmake
  CACHE FILEPATH "toolchain file for the target build")
ExternalProject_Add(target
  SOURCE_DIR ${CMAKE_SOURCE_DIR}
  BINARY_DIR ${CMAKE_BINARY_DIR}/target
  CMAKE_ARGS -DCMAKE_TOOLCHAIN_FILE=${SEPTA_TARGET_TOOLCHAIN}
    -DSEPTA_PLATFORM=${SEPTA_PLATFORM}
    -DSEPTA_NEWLIB_PREFIX=${SEPTA_NEWLIB_PREFIX}
    -DSEPTA_MKBOOTARC=${CMAKE_BINARY_DIR}/tools/mkbootarc
    -DSEPTA_LIBFDT_DIR=${SEPTA_LIBFDT_DIR}
    -DCMAKE_EXPORT_COMPILE_COMMANDS=ON
  BUILD_ALWAYS ON
  INSTALL_COMMAND ""
  DEPENDS newlib mkbootarc)

# One compile_commands.json for both halves, for clangd and clang-tidy.
add_custom_command(TARGET target POST_BUILD
  COMMAND ${CMAKE_COMMAND} -DOUT=${CMAKE_BINARY_DIR}/compile_commands.all.json
    -DIN="${CMAKE_BINARY_DIR}/compile_commands.json\;${CMAKE_BINARY_DIR}/target/compile_commands.json"
    -P ${CMAKE_SOURCE_DIR}/platforms/merge-compile-commands.cmake)

add_subdirectory(libs/septa/gen)
add_subdirectory(tests/unit)
add_subdirectory(tests/captest/coverage)
add_subdirectory(tests/fuzz)
add_subdirectory(tests/system)
add_test(NAME format COMMAND ${CMAKE_SOURCE_DIR}/tests/check-format.sh)
