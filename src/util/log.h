#ifndef LS_UTIL_LOG_H
#define LS_UTIL_LOG_H

/*
 * Everything that is not a result goes to stderr through here: one call prints one line, with
 * no '\n' in the format. Lines pass through redact so that a secret registered with
 * redact_secret() never reaches the stream.
 */
void log_set_verbose(int verbose);
int log_is_verbose(void);
/* Silences warnings and info lines (tests of pure output use it). */
void log_set_quiet(int quiet);

/* "[verbose] ..." only with -v. */
__attribute__((format(printf, 1, 2))) void log_verbose(const char *fmt, ...);
/* "warning: ..." */
__attribute__((format(printf, 1, 2))) void log_warn(const char *fmt, ...);
/* "error: ..." */
__attribute__((format(printf, 1, 2))) void log_error(const char *fmt, ...);
/* A plain line on stderr (progress, notes). */
__attribute__((format(printf, 1, 2))) void log_info(const char *fmt, ...);

/* Whether stderr (fd 2) or stdout (fd 1) should get colour: a terminal, TERM not dumb, NO_COLOR unset. */
int log_use_color(int fd);

#endif
