/*
 * src/spawn.h: run a short-lived helper (tmux client, `hub --daemon`,
 * `hub --stats`) to completion and collect its output.
 *
 * These helpers return in milliseconds (a daemonising hub returns once its
 * socket accepts), so the runtime runs them synchronously; the long-lived
 * processes they leave behind are watched through the event loop.
 */
#ifndef UMLAB_SPAWN_H
#define UMLAB_SPAWN_H

/* A helper still running after this long is wedged (a stopped tmux server): killed. */
#define RT_RUN_TIMEOUT_MS 60000

/*
 * Run argv (argv[0] looked up in PATH unless it has a slash) with stdin
 * from /dev/null; *out (optional) gets stdout. Returns the exit status
 * (0..255), or -1 with *err set when it could not run, died of a signal or
 * ran longer than RT_RUN_TIMEOUT_MS; a non-zero status also sets *err to
 * its stderr (or a generic message).
 */
int rt_run(char *const argv[], char **out, char **err);

/* Append s to a shell command line, single-quoted. */
void rt_shell_quote(char **cmd, const char *s);

/* Is this word safe to pass unquoted on a kernel command line? */
int rt_karg_valid(const char *s);

#endif
