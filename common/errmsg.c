/*
 * common/errmsg.c: the error convention every library below the commands
 * shares (see errmsg.h): a fallible function returns < 0 or NULL and sets
 * *err to a message the caller frees; callers add their context on the way
 * up with err_wrap.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errmsg.h"
#include "xalloc.h"

int
rt_fail(char **err, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || *err != NULL)
		return -1;
	va_start(ap, fmt);
	*err = xvasprintf(fmt, ap);
	va_end(ap);
	return -1;
}

int
rt_fail_errno(char **err, int errnum, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (err == NULL || *err != NULL)
		return -1;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	*err = xasprintf("%s: %s", msg, strerror(errnum));
	free(msg);
	return -1;
}

void
rt_wrap(char **err, const char *fmt, ...)
{
	va_list ap;
	char *ctx, *msg;

	if (err == NULL || *err == NULL)
		return;
	va_start(ap, fmt);
	ctx = xvasprintf(fmt, ap);
	va_end(ap);
	msg = xasprintf("%s: %s", ctx, *err);
	free(ctx);
	free(*err);
	*err = msg;
}
