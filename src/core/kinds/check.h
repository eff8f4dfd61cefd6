#ifndef LS_CORE_KINDS_CHECK_H
#define LS_CORE_KINDS_CHECK_H

/*
 * What validate (core/validate.c) and the kind files' checks (struct kind_check,
 * core/kinds/impl.h) report problems with: a diagnostic at a value of the resource checked.
 * Pure.
 */
#include "core/diag.h"
#include "core/kinds/impl.h"

#include <stdarg.h>

/*
 * A diagnostic "<Kind>.<name>: <message>" at the file:line:col of the value at JSON pointer
 * ptr of k->r ("/spec/label"; "" for the document). diag_hint() adds a hint to it.
 */
__attribute__((format(__printf__, 4, 5))) void kind_err(const struct kind_check *k,
						      enum diag_severity sev, const char *ptr,
						      const char *fmt, ...);
/* kind_err() with its arguments as a va_list (for reporters of their own, core/memfiles.c). */
void kind_verr(const struct kind_check *k, enum diag_severity sev, const char *ptr,
	       const char *fmt, va_list ap);

#endif
