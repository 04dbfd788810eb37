# SPDX-License-Identifier: GPL-3.0-or-later
# Runs the DICOM fuzzer for SECONDS, with a writable corpus (CORPUS) seeded from the samples (SEEDS) and
# the reproducers of past findings (REGRESSIONS, optional): libFuzzer runs every corpus file first, so a
# fixed crash that comes back fails the test at once.
# Fails when libFuzzer finds a crash; the reproducer (crash-*) stays in CORPUS/../ for debugging.
file(MAKE_DIRECTORY ${CORPUS})
file(GLOB _seeds ${SEEDS}/*.dcm)
if(REGRESSIONS)
  file(GLOB _regressions ${REGRESSIONS}/*.dcm)
  list(APPEND _seeds ${_regressions})
endif()
file(COPY ${_seeds} DESTINATION ${CORPUS})
get_filename_component(_artifacts ${CORPUS} DIRECTORY)
get_filename_component(_here ${CMAKE_CURRENT_LIST_FILE} DIRECTORY)
set(ENV{LSAN_OPTIONS} "suppressions=${_here}/lsan.supp:print_suppressions=0")
execute_process(COMMAND ${FUZZER} -max_total_time=${SECONDS} -rss_limit_mb=2048 -timeout=20 -max_len=65536
                        -print_final_stats=1 -artifact_prefix=${_artifacts}/ ${CORPUS}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(REGEX MATCH "stat::number_of_executed_units: *[0-9]+" _runs "${err}")
if(NOT rc EQUAL 0)
  string(LENGTH "${err}" _n)
  if(_n GREATER 20000)
    math(EXPR _from "${_n} - 20000")
    string(SUBSTRING "${err}" ${_from} 20000 err)
  endif()
  message(FATAL_ERROR "fuzzer failed (exit ${rc}); reproducer under ${_artifacts}/\n${err}")
endif()
message(STATUS "fuzzer ok after ${SECONDS} s (${_runs})")
