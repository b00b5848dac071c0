/*
 * cmd/vcommon.c: shared parts of the machine commands (see vcommon.h).
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vcommon.h"
#include "xalloc.h"

const struct option *
vcmd_longopts(const struct option *base)
{
	static char names[LAB_IFACES_MAX][8];
	static struct option table[64 + LAB_IFACES_MAX + 1];
	size_t n = 0;

	for (; base[n].name != NULL && n < 64; n++)
		table[n] = base[n];
	for (int i = 0; i < LAB_IFACES_MAX; i++) {
		snprintf(names[i], sizeof(names[i]), "eth%d", i);
		table[n++] = (struct option){names[i], required_argument, NULL, VCMD_OPT_ETH + i};
	}
	table[n] = (struct option){NULL, 0, NULL, 0};
	return table;
}

const char *
vcmd_user_name(void)
{
	static char buf[64];
	struct passwd *pw = getpwuid(getuid());

	if (pw != NULL && pw->pw_name != NULL)
		snprintf(buf, sizeof(buf), "%s", pw->pw_name);
	else
		snprintf(buf, sizeof(buf), "%u", (unsigned int)getuid());
	return buf;
}

int
vcmd_user(struct lcmd_ctx *ctx, const char *user, bool all_ok)
{
	if (user == NULL || strcmp(user, vcmd_user_name()) == 0)
		return 0;
	if (strcmp(user, "-") == 0 && all_ok) {
		lcmd_warn(ctx, "-u -: your own machines only: other users' are in their own "
		               "private directories (mode 0700), which no other user can read");
		return 0;
	}
	return lcmd_usage_error(ctx,
	                        "-u %s: other users' machines are in their own private "
	                        "directories (mode 0700): no other user can see or stop them",
	                        user);
}
