/*
 * hub/stats.c: the hub's counters as one JSON object (the "stats" command
 * of DIR/mgmt and hub --stats) and as a text table (-v on exit).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hub-int.h"

/* A growing string. */
struct sbuf {
	char *s; /* owned */
	size_t len, cap;
};

/* Appends formatted text. */
static void __attribute__((format(printf, 2, 3))) sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if ((size_t)n < b->cap - b->len)
			break;
		b->cap = (b->cap + (size_t)n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
	b->len += (size_t)n;
}

/* Appends s as a JSON string (descriptions are printable ASCII already). */
static void
sb_json_str(struct sbuf *b, const char *s)
{
	sb_printf(b, "\"");
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			sb_printf(b, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			sb_printf(b, "\\u%04x", (unsigned char)*s);
		else
			sb_printf(b, "%c", *s);
	}
	sb_printf(b, "\"");
}

/* Appends the counters' members. */
static void
sb_counters(struct sbuf *b, const struct hub_counters *c)
{
	sb_printf(b,
	          "\"frames_in\":%llu,\"bytes_in\":%llu,\"frames_out\":%llu,"
	          "\"bytes_out\":%llu,\"drops\":%llu,\"runts\":%llu,\"jumbo\":%llu,"
	          "\"oversize\":%llu,\"lost\":%llu,\"rate_drops\":%llu,\"mtu_drops\":%llu,"
	          "\"limit_drops\":%llu,\"duplicated\":%llu,\"corrupted\":%llu,\"delayed\":%llu,"
	          "\"reordered\":%llu,\"link_drops_in\":%llu,\"link_drops_out\":%llu,"
	          "\"partition_drops\":%llu",
	          (unsigned long long)c->frames_in, (unsigned long long)c->bytes_in,
	          (unsigned long long)c->frames_out, (unsigned long long)c->bytes_out,
	          (unsigned long long)c->drops, (unsigned long long)c->runts,
	          (unsigned long long)c->jumbo, (unsigned long long)c->oversize,
	          (unsigned long long)c->lost, (unsigned long long)c->rate_drops,
	          (unsigned long long)c->mtu_drops, (unsigned long long)c->limit_drops,
	          (unsigned long long)c->duplicated, (unsigned long long)c->corrupted,
	          (unsigned long long)c->delayed, (unsigned long long)c->reordered,
	          (unsigned long long)c->link_drops_in, (unsigned long long)c->link_drops_out,
	          (unsigned long long)c->partition_drops);
}

/* Appends impairments as a JSON string in spec form. */
static void
sb_spec(struct sbuf *b, const struct hub_impair *im)
{
	char spec[HUB_SPEC_MAX];

	hub_impair_format(im, spec, sizeof(spec));
	sb_json_str(b, spec);
}

/* Returns the impairments set, as one line of JSON (caller frees):
 * {"domain": SPEC, "ports": [{"port": N, "impair": SPEC}, ...]} for the
 * ports that have their own. */
char *
hub__impair_json(const struct hub *hub)
{
	struct sbuf b = {xmalloc(256), 0, 256};
	int first = 1;

	sb_printf(&b, "{\"domain\":");
	sb_spec(&b, &hub->impair);
	sb_printf(&b, ",\"ports\":[");
	for (unsigned int i = 0; i < HUB_PORTS_MAX; i++) {
		if (hub->port_impair[i] == NULL)
			continue;
		sb_printf(&b, "%s{\"port\":%u,\"impair\":", first ? "" : ",", i);
		sb_spec(&b, hub->port_impair[i]);
		sb_printf(&b, "}");
		first = 0;
	}
	sb_printf(&b, "]}");
	return b.s;
}

/* Appends the link state's members: "link": "up"|"down" (the domain),
 * "ports_down": [N, ...], "partition": [[N, ...], ...] (groups ordered by
 * their lowest port, the ports named in none left out). */
static void
sb_link(struct sbuf *b, const struct hub *hub)
{
	const struct hub_link *l = &hub->link;
	const char *sep = "";

	sb_printf(b, "\"link\":\"%s\",\"ports_down\":[", l->domain_down ? "down" : "up");
	for (unsigned int i = 1; i < HUB_PORTS_MAX; i++) {
		if (l->port_down[i]) {
			sb_printf(b, "%s%u", sep, i);
			sep = ",";
		}
	}
	sb_printf(b, "],\"partition\":[");
	for (unsigned int g = 1; g <= l->partition.ngroups; g++) {
		sep = "";
		sb_printf(b, "%s[", g > 1 ? "," : "");
		for (unsigned int i = 1; i < HUB_PORTS_MAX; i++) {
			if (l->partition.group[i] == g) {
				sb_printf(b, "%s%u", sep, i);
				sep = ",";
			}
		}
		sb_printf(b, "]");
	}
	sb_printf(b, "]");
}

/* Returns the link state as one line of JSON (caller frees). */
char *
hub__link_json(const struct hub *hub)
{
	struct sbuf b = {xmalloc(256), 0, 256};

	sb_printf(&b, "{");
	sb_link(&b, hub);
	sb_printf(&b, "}");
	return b.s;
}

/* Returns the ports ordered by port number (borrowed pointers, owned array). */
static struct hub_port **
sorted_ports(const struct hub *hub, unsigned int *n)
{
	struct hub_port **v = xcalloc(hub->nclients + 1, sizeof(*v));
	unsigned int i;

	*n = 0;
	for (i = 0; i < HUB_PORTS_MAX && *n < hub->nclients; i++) {
		if (hub->byport[i] != NULL)
			v[(*n)++] = hub->byport[i];
	}
	return v;
}

/* Returns the counters as one line of JSON (caller frees). */
char *
hub__stats_json(const struct hub *hub)
{
	struct sbuf b = {xmalloc(1024), 0, 1024};
	struct hub_port **v;
	unsigned int i, n;

	sb_printf(&b, "{\"dir\":");
	sb_json_str(&b, hub->dir);
	sb_printf(&b, ",\"impair\":");
	sb_spec(&b, &hub->impair);
	sb_printf(&b, ",");
	sb_link(&b, hub);
	sb_printf(&b, ",\"pid\":%ld,\"uptime_ms\":%llu,\"clients\":%u,\"ports\":[", (long)getpid(),
	          (unsigned long long)(uv_now(hub->loop) - hub->start_ms), hub->nclients);
	v = sorted_ports(hub, &n);
	for (i = 0; i < n; i++) {
		const struct hub_port *p = v[i];

		sb_printf(&b, "%s{\"port\":%u,\"descr\":", i ? "," : "", p->port);
		sb_json_str(&b, p->descr);
		sb_printf(&b, ",\"transport\":\"%s\",\"uid\":%ld,\"pid\":%ld,\"socket\":",
		          p->kind == HUB_PORT_BESS ? "bess"
		          : p->abstract            ? "daemon"
		                                   : "vde",
		          p->uid == (uid_t)-1 ? -1L : (long)p->uid, (long)p->pid);
		sb_json_str(&b, p->name);
		sb_printf(&b, ",\"queued\":%u,\"impair_queued\":%u,\"impair\":", p->qlen,
		          p->sh.qlen);
		sb_spec(&b, &p->sh.cf);
		sb_printf(&b, ",\"link\":\"%s\",", hub->link.port_down[p->port] ? "down" : "up");
		sb_counters(&b, &p->c);
		sb_printf(&b, "}");
	}
	free(v);
	sb_printf(&b, "],\"totals\":{");
	sb_counters(&b, &hub->total);
	sb_printf(&b, ",\"clients_total\":%llu,\"requests_rejected\":%llu",
	          (unsigned long long)hub->clients_total,
	          (unsigned long long)hub->requests_rejected);
	sb_printf(&b, "}}");
	return b.s;
}

/* Prints the counters as a table (for -v at exit). */
void
hub__stats_print(const struct hub *hub, FILE *f)
{
	const struct hub_counters *t = &hub->total;
	struct hub_port **v;
	unsigned int i, n;

	fprintf(f, "hub %s: %llu clients served, %llu requests rejected\n", hub->dir,
	        (unsigned long long)hub->clients_total, (unsigned long long)hub->requests_rejected);
	fprintf(f, "%5s %12s %14s %12s %14s %10s  %s\n", "port", "frames-in", "bytes-in",
	        "frames-out", "bytes-out", "drops", "client");
	v = sorted_ports(hub, &n);
	for (i = 0; i < n; i++) {
		const struct hub_port *p = v[i];

		fprintf(f, "%5u %12llu %14llu %12llu %14llu %10llu  %s\n", p->port,
		        (unsigned long long)p->c.frames_in, (unsigned long long)p->c.bytes_in,
		        (unsigned long long)p->c.frames_out, (unsigned long long)p->c.bytes_out,
		        (unsigned long long)p->c.drops, p->descr);
	}
	free(v);
	fprintf(f,
	        "%5s %12llu %14llu %12llu %14llu %10llu  runts %llu, over 1518 %llu, oversize "
	        "%llu\n",
	        "total", (unsigned long long)t->frames_in, (unsigned long long)t->bytes_in,
	        (unsigned long long)t->frames_out, (unsigned long long)t->bytes_out,
	        (unsigned long long)t->drops, (unsigned long long)t->runts,
	        (unsigned long long)t->jumbo, (unsigned long long)t->oversize);
}
