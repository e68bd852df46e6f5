# Bakes the build and source directories into a test target, so tests find
# the binaries and example files however ctest is invoked.
function(loong_test_paths target)
  target_compile_definitions(${target} PRIVATE
    LOONG_TEST_BUILD_DIR="${CMAKE_BINARY_DIR}"
    LOONG_TEST_SOURCE_DIR="${LOONG_SOURCE_ROOT}")
endfunction()

# loong_add_test(NAME <target> SOURCES <files...> LIBS <targets...> [LABELS <labels...>])
# One Catch2 executable per layer; every TEST_CASE becomes one ctest entry.
function(loong_add_test)
  cmake_parse_arguments(T "" "NAME" "SOURCES;LIBS;LABELS" ${ARGN})
  if(NOT T_SOURCES)
    return()
  endif()
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} Catch2::Catch2WithMain)
  target_include_directories(${T_NAME} PRIVATE ${LOONG_SOURCE_ROOT})
  loong_test_paths(${T_NAME})
  set(labels ${T_LABELS})
  if(NOT labels)
    set(labels unit)
  endif()
  catch_discover_tests(${T_NAME}
    TEST_PREFIX "${T_NAME}."
    EXTRA_ARGS -w NoTests
    PROPERTIES TIMEOUT 300 LABELS "${labels}")
endfunction()
