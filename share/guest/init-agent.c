/* The init's part of lexec: start the guest agent (/usr/lib/umlab/agent,
 * share/guest/agent.c) once the guest is ready, and start it again if it
 * dies, unless the guest is stopping or the agent keeps dying at once. */
#include "init.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

#define AGENT "/usr/lib/umlab/agent"

extern char **environ;

static pid_t agent_pid;  /* 0 when not running */
static long agent_since; /* uptime when last started */
static int agent_quick;  /* exits within a second, in a row */

void
init_agent_start(void)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none;
	char *argv[] = {AGENT, NULL};
	pid_t pid;

	if (agent_pid > 0 || agent_quick >= 5 || access(AGENT, X_OK) != 0)
		return;
	sigemptyset(&none);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	/* Its rare complaints belong on the console. */
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/console", O_WRONLY | O_NOCTTY, 0);
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK);
	posix_spawnattr_setsigmask(&at, &none);
	if (posix_spawn(&pid, AGENT, &fa, &at, argv, environ) == 0) {
		agent_pid = pid;
		agent_since = init_uptime_ms();
	}
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
}

bool
init_agent_reaped(pid_t pid, bool stopping)
{
	if (agent_pid <= 0 || pid != agent_pid)
		return false;
	agent_pid = 0;
	agent_quick = init_uptime_ms() - agent_since < 1000 ? agent_quick + 1 : 0;
	if (!stopping)
		init_agent_start();
	return true;
}
