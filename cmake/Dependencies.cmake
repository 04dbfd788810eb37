# Finds the six libraries of the fixed stack. Each failure names the Debian 12 package to install,
# because "Could not find a package configuration file" helps nobody on a fresh machine.
macro(mt_require found pkg what)
  if(NOT ${found})
    message(FATAL_ERROR "${what} was not found. Install the Debian package: sudo apt-get install ${pkg}\n"
                        "(or run: installer/setup.sh deps)")
  endif()
endmacro()

find_package(Torch 1.13 QUIET)
mt_require(Torch_FOUND libtorch-dev "LibTorch (>= 1.13)")

find_package(OpenCV 4 QUIET COMPONENTS core imgproc imgcodecs videoio)
mt_require(OpenCV_FOUND libopencv-dev "OpenCV 4")

find_package(DCMTK QUIET CONFIG)
mt_require(DCMTK_FOUND libdcmtk-dev "DCMTK")

if(MT_BUILD_GUI)
  find_package(Qt6 QUIET COMPONENTS Widgets PrintSupport Test)
  mt_require(Qt6_FOUND qt6-base-dev "Qt 6 (Widgets, PrintSupport, Test)")
  find_package(Qt6LinguistTools QUIET)
  mt_require(Qt6LinguistTools_FOUND "qt6-tools-dev qt6-l10n-tools" "Qt 6 Linguist tools")
  if(NOT EXISTS "${QT6_INSTALL_PREFIX}/${QT6_INSTALL_LIBEXECS}/lrelease"
     AND NOT TARGET Qt6::lrelease)
    message(FATAL_ERROR "lrelease was not found. Install the Debian package: sudo apt-get install qt6-l10n-tools")
  endif()
  # QCustomPlotQt6's config does not look for its own Qt dependency: PrintSupport must come first.
  find_package(QCustomPlotQt6 QUIET)
  mt_require(QCustomPlotQt6_FOUND libqcustomplot-dev "QCustomPlot (Qt 6 build)")
endif()

if(MT_BUILD_TESTS)
  find_package(Catch2 2 QUIET)
  mt_require(Catch2_FOUND catch2 "Catch2 v2")
  include(Catch)
endif()

# The torch target brings its own -D flags; do not add TORCH_CXX_FLAGS globally (redundant on Debian).
message(STATUS "LibTorch ${Torch_VERSION}, OpenCV ${OpenCV_VERSION}, DCMTK ${DCMTK_VERSION}")

# JPEG 2000 DICOM: DCMTK has no codec (Debian builds it without OpenJPEG); GDCM decodes it (mt_dicom).
# Found by header and libraries rather than GDCMConfig.cmake: Debian's config lists the gdcm* tools of
# libgdcm-tools and prints 15 warnings on every configure when that package is absent.
find_path(MT_GDCM_INCLUDE_DIR gdcmImageReader.h PATH_SUFFIXES gdcm-3.0)
set(MT_GDCM_LIBRARIES "")
foreach(_lib gdcmMSFF gdcmIOD gdcmDSED gdcmDICT gdcmCommon)
  find_library(MT_GDCM_${_lib} ${_lib})
  list(APPEND MT_GDCM_LIBRARIES ${MT_GDCM_${_lib}})
endforeach()
if(MT_GDCM_INCLUDE_DIR AND NOT MT_GDCM_LIBRARIES MATCHES "NOTFOUND")
  set(MT_HAVE_GDCM ON)
endif()
mt_require(MT_HAVE_GDCM libgdcm-dev "GDCM (JPEG 2000 DICOM decoding)")

# Optional: the DICOM importer's fuzz target needs clang with libFuzzer (Debian: clang, which brings
# libclang-rt-14-dev). The main build stays on g++; without clang the fuzz test is simply not defined.
find_program(MT_FUZZ_CLANGXX NAMES clang++ clang++-16 clang++-15 clang++-14 DOC "clang++ with -fsanitize=fuzzer, for the DICOM fuzz target")
if(MT_FUZZ_CLANGXX AND NOT DEFINED MT_FUZZ_WORKS)
  set(_probe ${CMAKE_BINARY_DIR}/CMakeFiles/mt_fuzz_probe.cpp)
  file(WRITE ${_probe} "#include <cstddef>\n#include <cstdint>\nextern \"C\" int LLVMFuzzerTestOneInput(const std::uint8_t*, std::size_t) { return 0; }\n")
  execute_process(COMMAND ${MT_FUZZ_CLANGXX} -fsanitize=fuzzer,address ${_probe} -o ${CMAKE_BINARY_DIR}/CMakeFiles/mt_fuzz_probe
                  RESULT_VARIABLE _rc OUTPUT_QUIET ERROR_QUIET)
  if(_rc EQUAL 0)
    set(MT_FUZZ_WORKS ON CACHE INTERNAL "clang++ links -fsanitize=fuzzer")
  else()
    set(MT_FUZZ_WORKS OFF CACHE INTERNAL "clang++ links -fsanitize=fuzzer")
  endif()
endif()
if(MT_FUZZ_WORKS)
  message(STATUS "DICOM fuzz target: ${MT_FUZZ_CLANGXX} with libFuzzer")
else()
  message(STATUS "DICOM fuzz target: off (install clang for clang++ -fsanitize=fuzzer)")
endif()
