/*
 * common/errmsg.h: the one error convention of umlab's libraries. A fallible
 * function returns < 0 (or NULL) and sets *err, if err is not NULL and *err
 * is still NULL, to a malloc'd one-line message that names the place
 * ("HOSTWD/pc1/pc1.conf: Permission denied"); callers add context on the
 * way up ("starting pc1: ..."), and the command prints it once.
 */
#ifndef UMLAB_ERRMSG_H
#define UMLAB_ERRMSG_H

/* Set *err (if err is not NULL and *err is NULL) to a message; returns -1. */
int rt_fail(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Like rt_fail, with ": strerror(errnum)" appended. */
int rt_fail_errno(char **err, int errnum, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* Prefix *err with context: "starting pc1: " + old message. */
void rt_wrap(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
