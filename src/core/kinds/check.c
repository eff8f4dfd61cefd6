/* Reporting a problem of a resource (see check.h). */
#include "core/kinds/check.h"
#include "util/buf.h"

#include <stdarg.h>

void kind_verr(const struct kind_check *k, enum diag_severity sev, const char *ptr,
	       const char *fmt, va_list ap)
{
	struct buf b = BUF_INIT;
	struct src_pos pos;

	desired_pos(&pos, k->ds, k->r, ptr);
	buf_vaddf(&b, fmt, ap);
	diag_add(k->diags, sev, pos.file, pos.line, pos.col, "%s.%s: %s",
		 res_kind_name(k->r->kind), k->r->name, b.buf);
	buf_release(&b);
}

void kind_err(const struct kind_check *k, enum diag_severity sev, const char *ptr,
	      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kind_verr(k, sev, ptr, fmt, ap);
	va_end(ap);
}
