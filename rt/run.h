/*
 * rt/run.h: run a short-lived helper (tmux client, `hub --daemon`,
 * `hub --stats`) to completion and collect its output.
 *
 * These helpers return in milliseconds (a daemonising hub returns once its
 * socket accepts), so the runtime runs them synchronously; the long-lived
 * processes they leave behind are watched through the event loop.
 */
#ifndef UMLAB_SPAWN_H
#define UMLAB_SPAWN_H

#include "rt.h"

/* A helper still running after this long is wedged (a stopped tmux server): killed. */
#define RT_RUN_TIMEOUT_MS 60000

#endif
