# The aarch64 half of the build: kernel, user library, servers, test
# programs, and the boot images that pack them together.
if(NOT SEPTA_NEWLIB_PREFIX OR NOT SEPTA_MKBOOTARC)
  message(FATAL_ERROR "the target build is driven by the host build; run cmake on the top directory without a toolchain file")
endif()

set(SEPTA_LIBC ${SEPTA_NEWLIB_PREFIX}/aarch64-none-elf)
execute_process(COMMAND ${CMAKE_C_COMPILER} ${CMAKE_C_COMPILER_ARG1} -print-libgcc-file-name
  OUTPUT_VARIABLE SEPTA_LIBGCC OUTPUT_STRIP_TRAILING_WHITESPACE)
execute_process(COMMAND aarch64-linux-gnu-gcc -print-file-name=include
  OUTPUT_VARIABLE SEPTA_CC_INCLUDE OUTPUT_STRIP_TRAILING_WHITESPACE)
# The version the banner prints, with the git commit, refreshed every build.
add_custom_target(septa_version
  COMMAND ${CMAKE_COMMAND} -DSRC=${CMAKE_SOURCE_DIR} -DVERSION=${PROJECT_VERSION}
    -DOUT=${CMAKE_BINARY_DIR}/generated/septa_version.h -P ${CMAKE_SOURCE_DIR}/platforms/version.cmake
  BYPRODUCTS ${CMAKE_BINARY_DIR}/generated/septa_version.h)

# Debian's cross compiler defaults to PIE and stack protection for Linux.
add_compile_options(-O2 -g -fno-pie -fno-stack-protector -fno-asynchronous-unwind-tables
  -U__linux__ -U__gnu_linux__ -Ulinux)
add_link_options(-nostdlib -static $<$<C_COMPILER_ID:GNU>:-no-pie> -Wl,--build-id=none)

set(SEPTA_IMAGE_DIR ${CMAKE_BINARY_DIR}/images)
file(MAKE_DIRECTORY ${SEPTA_IMAGE_DIR})

add_subdirectory(kernel)
add_subdirectory(libs/septa)
add_subdirectory(servers/memsrv)
add_subdirectory(servers/vmsrv)
add_subdirectory(tests/guests)
add_subdirectory(tests/system/progs)
add_subdirectory(tests/captest)
add_subdirectory(tests/kfuzz)
add_subdirectory(tests/memtest)
add_subdirectory(tests/bench)

# What septa-pack needs besides its arguments: the tools, the kernel and the
# servers, written for the packer run by hand or by `make image`
# (docs/vm-config.md, "Building an image from your own files").
set(SEPTA_PACK ${CMAKE_SOURCE_DIR}/platforms/septa-pack)
set(SEPTA_KIT ${CMAKE_BINARY_DIR}/septa-kit.env)
get_filename_component(objcopy ${CMAKE_OBJCOPY} PROGRAM)
# Debian's aarch64 GNU linker, which both toolchain files link with.
find_program(SEPTA_LD aarch64-linux-gnu-ld REQUIRED)
file(GENERATE OUTPUT ${SEPTA_KIT} CONTENT "# Written by the build for platforms/septa-pack.
SEPTA_KERNEL=\"$<TARGET_FILE:septa_kernel>\"
SEPTA_KERNEL_LDS=\"${SEPTA_KERNEL_LDS}\"
SEPTA_LIBGCC=\"${SEPTA_LIBGCC}\"
SEPTA_MKBOOTARC=\"${SEPTA_MKBOOTARC}\"
SEPTA_OBJCOPY=\"${objcopy}\"
SEPTA_LD=\"${SEPTA_LD}\"
SEPTA_MEMSRV=\"$<TARGET_FILE:memsrv>\"
SEPTA_VMSRV=\"$<TARGET_FILE:vmsrv>\"
")

# septa_image(NAME KERNEL <kernel library> ROOT <program> [AS <module name>]
#             [SERVERS <module>=<program> ...] [VMS <config.dts>]
#             [GUESTS <module>=<guest> ...] [FILES <module>=<file> ...]
#             [DEPENDS <target> ...] [MODULES_ONLY])
# Packs with septa-pack the root program, the servers memsrv starts, and for
# vmsrv a VM configuration and its images: guests built with septa_guest()
# and plain files (made by the DEPENDS targets, if the build makes them),
# each under a module name the configuration may use; any other image
# property of the configuration is a path relative to it (with MODULES_ONLY,
# a module name all the same).
# Writes NAME.elf (QEMU -kernel) and NAME.img (flat, arm64 Image header),
# repacked whenever a file they are made of changes.
function(septa_image name)
  cmake_parse_arguments(I "MODULES_ONLY" "KERNEL;ROOT;AS;VMS" "SERVERS;GUESTS;FILES;DEPENDS" ${ARGN})
  if(NOT I_AS)
    set(I_AS ${I_ROOT})
  endif()
  set(elf ${SEPTA_IMAGE_DIR}/${name}.elf)
  set(dep ${CMAKE_CURRENT_BINARY_DIR}/${name}.d)
  set(args --kit ${SEPTA_KIT} --kernel $<TARGET_FILE:${I_KERNEL}>
    --root ${I_AS}=$<TARGET_FILE:${I_ROOT}> --depfile ${dep} -o ${elf})
  set(deps ${I_KERNEL} ${I_ROOT} ${SEPTA_KERNEL_LDS} ${SEPTA_PACK} ${SEPTA_MKBOOTARC}
    ${I_DEPENDS})
  foreach(srv ${I_SERVERS})
    string(REPLACE "=" ";" pair ${srv})
    list(GET pair 0 mod)
    list(GET pair 1 prog)
    list(APPEND args --server ${mod}=$<TARGET_FILE:${prog}>)
    list(APPEND deps ${prog})
  endforeach()
  foreach(g ${I_GUESTS})
    string(REPLACE "=" ";" pair ${g})
    list(GET pair 0 mod)
    list(GET pair 1 guest)
    list(APPEND args --module ${mod}=${SEPTA_GUEST_${guest}})
    list(APPEND deps ${guest}_guest ${SEPTA_GUEST_${guest}})
  endforeach()
  foreach(f ${I_FILES})
    string(REPLACE "=" ";" pair ${f})
    list(GET pair 1 file)
    list(APPEND args --module ${f})
    list(APPEND deps ${file})
  endforeach()
  if(I_MODULES_ONLY)
    list(APPEND args --modules-only)
  endif()
  if(I_VMS)
    list(APPEND args ${I_VMS})
  endif()
  add_custom_command(OUTPUT ${elf} BYPRODUCTS ${SEPTA_IMAGE_DIR}/${name}.img
    COMMAND ${SEPTA_PACK} ${args} DEPENDS ${deps} DEPFILE ${dep} VERBATIM)
  add_custom_target(${name} ALL DEPENDS ${elf})
endfunction()

# What `make run` boots: memsrv, vmsrv and the VMs of the platform (and
# bench.boot, with its own kernel: tests/system/images.cmake).
set(SEPTA_RUN_IMAGE ROOT memsrv SERVERS vmsrv=vmsrv
  VMS ${SEPTA_PLATFORM_DIR}/vms.dts GUESTS share=share linux=linux linux-initrd=linux_initrd)
septa_image(septa KERNEL septa_kernel ${SEPTA_RUN_IMAGE})
include(${CMAKE_SOURCE_DIR}/tests/system/images.cmake)
