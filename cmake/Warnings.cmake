# Warnings for every target of ours; LS_WERROR makes them errors (CI and make check).
add_compile_definitions(_POSIX_C_SOURCE=200809L _XOPEN_SOURCE=700 LS_VERSION="${PROJECT_VERSION}")
add_compile_options(-Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes
	-Wmissing-prototypes -Wformat=2 -Wvla -Wwrite-strings
	-Wdeclaration-after-statement -Wno-format-nonliteral)
if(LS_WERROR)
	add_compile_options(-Werror)
endif()
if(LS_SANITIZE)
	add_compile_options(-fsanitize=${LS_SANITIZE} -fno-sanitize-recover=all
		-fno-omit-frame-pointer -g)
	add_link_options(-fsanitize=${LS_SANITIZE})
	# Every sanitizer build frees its large structures before exit (src/util/xalloc.h).
	add_compile_definitions(LS_FREE_AT_EXIT=1)
endif()
