#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void ls_error_clear(struct ls_error *err)
{
	if (!err)
		return;
	memset(err, 0, sizeof(*err));
}

int ls_error_set(struct ls_error *err, enum ls_code code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

void ls_error_where(struct ls_error *err, const char *fmt, ...)
{
	va_list ap;

	if (!err || err->where[0])
		return;
	va_start(ap, fmt);
	vsnprintf(err->where, sizeof(err->where), fmt, ap);
	va_end(ap);
}

void ls_error_hint(struct ls_error *err, const char *fmt, ...)
{
	va_list ap;

	if (!err || err->hint[0])
		return;
	va_start(ap, fmt);
	vsnprintf(err->hint, sizeof(err->hint), fmt, ap);
	va_end(ap);
}

const char *ls_code_name(enum ls_code code)
{
	switch (code) {
	case LS_EUSAGE:
		return "USAGE";
	case LS_EINVALID:
		return "INVALID_CONFIG";
	case LS_EAUTH:
		return "AUTH";
	case LS_ENOTFOUND:
		return "NOT_FOUND";
	case LS_ECONFLICT:
		return "CONFLICT";
	case LS_ELEASE:
		return "LEASE_HELD";
	case LS_ENETWORK:
		return "NETWORK";
	case LS_EAPI:
		return "API";
	case LS_EINTERRUPTED:
		return "INTERRUPTED";
	case LS_OK:
		return "OK";
	case LS_ECHANGES:
		return "CHANGES";
	case LS_EFAIL:
	case LS_EINTERNAL:
		break;
	}
	return "INTERNAL";
}
