# Writes OUT with SEPTA_VERSION "VERSION (git describe)", touching it only
# when the text changes so that nothing rebuilds needlessly.
execute_process(COMMAND git describe --always --dirty WORKING_DIRECTORY ${SRC}
  OUTPUT_VARIABLE git OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
set(v "${VERSION}")
if(git)
  set(v "${VERSION} (${git})")
endif()
set(text "#define SEPTA_VERSION \"${v}\"\n")
if(EXISTS ${OUT})
  file(READ ${OUT} old)
endif()
if(NOT "${old}" STREQUAL "${text}")
  file(WRITE ${OUT} "${text}")
endif()
