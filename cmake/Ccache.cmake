# Use ccache when it is installed: a warm rebuild drops from minutes to seconds.
find_program(MT_CCACHE ccache)
if(MT_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER ${MT_CCACHE})
  message(STATUS "ccache: ${MT_CCACHE}")
endif()
