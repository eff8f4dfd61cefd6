#ifndef LS_UTIL_ERROR_H
#define LS_UTIL_ERROR_H

/*
 * Errors. A function that can fail returns int: 0, or a negative ls_code after filling the
 * struct ls_error its caller passed. A code exists only if a caller branches on it; each maps
 * to one code of the --json envelope (docs/contract/PRODUCT.md section 6).
 */
enum ls_code {
	LS_OK = 0,
	LS_EFAIL = -1,        /* generic failure: "INTERNAL" unless said otherwise */
	LS_EUSAGE = -2,       /* USAGE, exit 64 */
	LS_EINVALID = -3,     /* INVALID_CONFIG */
	LS_EAUTH = -4,        /* AUTH: 401/403 or a missing key */
	LS_ENOTFOUND = -5,    /* NOT_FOUND: 404 */
	LS_ECONFLICT = -6,    /* CONFLICT: 409, or a conflict found by the planner */
	LS_ELEASE = -7,       /* LEASE_HELD */
	LS_ENETWORK = -8,     /* NETWORK: connect, timeout, dropped connection */
	LS_EAPI = -9,         /* API: any other HTTP error */
	LS_EINTERRUPTED = -10, /* INTERRUPTED: Ctrl-C, exit 130 */
	LS_EINTERNAL = -11,   /* INTERNAL */
	LS_ECHANGES = -12,    /* not an error: changes found with --exit-code (exit 2) */
};

struct ls_error {
	enum ls_code code;
	long http_status;  /* set when the server answered */
	char where[256];   /* "base/blocks.yaml:12:3", "PATCH /v1/blocks/b-1" */
	char msg[512];     /* what went wrong: "unknown key 'lable'" */
	char hint[256];    /* what to do: "did you mean 'label'?" */
};

/* clang-format off */
#define LS_ERROR_INIT { LS_OK, 0, "", "", "" }
/* clang-format on */

void ls_error_clear(struct ls_error *err);
/* Fills code and msg (where and hint are kept) and returns code. err may be NULL. */
__attribute__((format(printf, 3, 4))) int ls_error_set(struct ls_error *err, enum ls_code code,
						       const char *fmt, ...);
/* Fills where or hint when empty; never overwrites (an outer layer only adds context). */
__attribute__((format(printf, 2, 3))) void ls_error_where(struct ls_error *err, const char *fmt,
							  ...);
__attribute__((format(printf, 2, 3))) void ls_error_hint(struct ls_error *err, const char *fmt,
							 ...);
/* The envelope name of a code: "USAGE", "INVALID_CONFIG", ... */
const char *ls_code_name(enum ls_code code);

#endif
