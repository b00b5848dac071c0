/* rt/report.c: the runtime's warnings go through the caller's reporter. */
#include <stdarg.h>
#include <stdlib.h>

#include "rt.h"
#include "xalloc.h"

void
rt_report_warn(const struct rt_report *rep, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	rep->warn(rep->ctx, msg);
	free(msg);
}
