/*
 * lexec/include/lexec.h: the host side of lexec (share/doc/lexec-protocol.md).
 *
 * Each guest's serial line ssl1 ends in two fifos, RUNDIR/ID/agent/HOST.in
 * and HOST.out (made by guest-launch). One bridge process per guest, started
 * by the first lexec that needs it, owns them and serves HOST.sock; each
 * lexec call is one connection, multiplexed by the bridge onto the line as a
 * channel of the guest agent.
 */
#ifndef UMLAB_LEXEC_H
#define UMLAB_LEXEC_H

#include <stdbool.h>

#include "rt.h"

struct rt_inst;

/* Why rt_agent_connect failed. */
enum rt_agent_fail {
	RT_AGENT_NO_LINE, /* no fifos: the guest was started without the line */
	RT_AGENT_DOWN,    /* nobody holds the line: the guest is not running */
	RT_AGENT_BROKEN,  /* anything else */
};

/*
 * Connect to the bridge of host, starting it (as `self --agent-bridge
 * PREFIX`) when none runs. Returns a connected socket, or -1 with *why and
 * *err set.
 */
int rt_agent_connect(const struct rt_inst *in, const char *host, const char *self,
                     enum rt_agent_fail *why, char **err);

/* The bridge process: serve RUNDIR/ID/agent/HOST (prefix) until the guest goes. */
int rt_agent_bridge_main(const char *prefix, int ready_fd);

/* What one lexec call runs and how. */
struct rt_agent_call {
	char **argv; /* the command, NULL-terminated */
	char **env;  /* extra VAR=VALUE entries, NULL-terminated, or NULL */
	const char *cwd;
	bool stdin_null;
	double timeout_s; /* 0: none */
	double wait_s;    /* how long the agent may take to start the command */
};

/* Outcome of rt_agent_run besides the exit status. */
enum rt_agent_end {
	RT_AGENT_EXITED,   /* *status is the command's */
	RT_AGENT_TIMEOUT,  /* --timeout expired; the command was killed */
	RT_AGENT_NO_AGENT, /* the agent never answered within wait_s */
	RT_AGENT_FAILED,   /* *err says why */
};

/*
 * Run a call over a connected bridge socket: stdin streamed to the command,
 * its stdout and stderr to ours. Signals INT, TERM and HUP are forwarded.
 */
enum rt_agent_end rt_agent_run(int sock, const struct rt_agent_call *c, int *status, char **err);

#endif
