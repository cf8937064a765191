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
add_subdirectory(tests/memtest)
add_subdirectory(tests/bench)

# septa_image(NAME KERNEL <objects target> ROOT <program> [AS <module name>]
#             [SERVERS <module>=<program> ...] [VMS <config.dts>]
#             [GUESTS <module>=<guest> ...])
# Packs the root program, the servers memsrv starts, and for vmsrv a VM
# configuration (compiled with dtc into module vms.dtb) and guest images
# (septa_guest() names) into a boot archive,
# links it into the kernel, and writes NAME.elf (QEMU -kernel) and NAME.img
# (flat, arm64 Image header).
function(septa_image name)
  cmake_parse_arguments(I "" "KERNEL;ROOT;AS;VMS" "SERVERS;GUESTS" ${ARGN})
  if(NOT I_AS)
    set(I_AS ${I_ROOT})
  endif()
  set(arc ${CMAKE_CURRENT_BINARY_DIR}/${name}.bootarc)
  set(obj ${CMAKE_CURRENT_BINARY_DIR}/${name}.modules.o)
  set(root ${CMAKE_CURRENT_BINARY_DIR}/${name}.${I_AS}.elf)
  # Modules travel without debug information; gdb reads it from the
  # unstripped program in the build tree.
  set(strip COMMAND ${CMAKE_OBJCOPY} --strip-debug $<TARGET_FILE:${I_ROOT}> ${root})
  set(args --root ${I_AS}=${root})
  set(deps ${I_ROOT})
  foreach(srv ${I_SERVERS})
    string(REPLACE "=" ";" pair ${srv})
    list(GET pair 0 mod)
    list(GET pair 1 prog)
    set(file ${CMAKE_CURRENT_BINARY_DIR}/${name}.${mod}.elf)
    list(APPEND strip COMMAND ${CMAKE_OBJCOPY} --strip-debug $<TARGET_FILE:${prog}> ${file})
    list(APPEND args --server ${mod}=${file})
    list(APPEND deps ${prog})
  endforeach()
  if(I_VMS)
    set(dtb ${CMAKE_CURRENT_BINARY_DIR}/${name}.vms.dtb)
    list(APPEND strip COMMAND dtc -I dts -O dtb -o ${dtb} ${I_VMS})
    list(APPEND args vms.dtb=${dtb})
    list(APPEND deps ${I_VMS})
  endif()
  foreach(g ${I_GUESTS})
    string(REPLACE "=" ";" pair ${g})
    list(GET pair 0 mod)
    list(GET pair 1 guest)
    list(APPEND args ${mod}=${SEPTA_GUEST_${guest}})
    list(APPEND deps ${guest}_guest ${SEPTA_GUEST_${guest}})
  endforeach()
  add_custom_command(OUTPUT ${arc} ${strip}
    COMMAND ${SEPTA_MKBOOTARC} ${arc} ${args}
    DEPENDS ${deps} ${SEPTA_MKBOOTARC} VERBATIM)
  add_custom_command(OUTPUT ${obj}
    COMMAND ${CMAKE_OBJCOPY} -I binary -O elf64-littleaarch64 -B aarch64
      --rename-section .data=.modules,alloc,load,readonly,data,contents ${name}.bootarc ${obj}
    DEPENDS ${arc} WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR} VERBATIM)
  add_executable(${name} $<TARGET_OBJECTS:${I_KERNEL}> ${obj})
  target_link_options(${name} PRIVATE -T ${SEPTA_KERNEL_LDS})
  target_link_libraries(${name} PRIVATE ${SEPTA_LIBGCC})
  set_target_properties(${name} PROPERTIES OUTPUT_NAME ${name}.elf
    RUNTIME_OUTPUT_DIRECTORY ${SEPTA_IMAGE_DIR} LINK_DEPENDS ${SEPTA_KERNEL_LDS})
  add_custom_command(TARGET ${name} POST_BUILD
    COMMAND ${CMAKE_OBJCOPY} -O binary $<TARGET_FILE:${name}> ${SEPTA_IMAGE_DIR}/${name}.img
    VERBATIM)
endfunction()

# What `make run` boots: memsrv, vmsrv and the VMs of the platform.
septa_image(septa KERNEL septa_kernel ROOT memsrv SERVERS vmsrv=vmsrv
  VMS ${SEPTA_PLATFORM_DIR}/vms.dts GUESTS share=share linux=linux linux-initrd=linux_initrd)
include(${CMAKE_SOURCE_DIR}/tests/system/images.cmake)
