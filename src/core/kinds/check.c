/* Reporting a problem of a resource (see check.h). */
#include "core/kinds/check.h"
#include "util/buf.h"

#include <stdarg.h>

void kind_err(const struct kind_check *k, enum diag_severity sev, const char *ptr,
	      const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	struct src_pos pos;
	va_list ap;

	desired_pos(&pos, k->ds, k->r, ptr);
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	diag_add(k->diags, sev, pos.file, pos.line, pos.col, "%s.%s: %s",
		 res_kind_name(k->r->kind), k->r->name, b.buf);
	buf_release(&b);
}
