/*
 * lab/parse-conf.c: Netkit/Kathara lab.conf. Tolerant like Netkit (lines
 * that do not parse are warnings, CRLF and stray blanks are warnings) but
 * never silent: every option is kept, and those the runtime cannot honour
 * are reported.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "lab-int.h"

/* One line being read. */
struct line {
	struct lab__ctx *c;
	const char *file;
	unsigned int no;
};

/* Origin at column col of the current line. */
static struct lab_origin
at(const struct line *l, unsigned int col)
{
	return lab__origin(l->file, l->no, col);
}

/* Strip blanks at both ends in place; true if any were there. */
static bool
trim(char **s)
{
	char *p = *s, *end;
	bool had = false;

	while (*p == ' ' || *p == '\t')
		p++, had = true;
	end = p + strlen(p);
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0', had = true;
	*s = p;
	return had;
}

/* Remove one pair of matching quotes; false when a quote is left open. */
static bool
unquote(char **s)
{
	char *p = *s;
	size_t n = strlen(p);

	if (n == 0 || (p[0] != '"' && p[0] != '\''))
		return true;
	if (n < 2 || p[n - 1] != p[0])
		return false;
	p[n - 1] = '\0';
	*s = p + 1;
	return true;
}

/* lab.conf's nat domain called name (tap, bridged), declared on first use. */
static struct lab_domain *
nat_decl(struct lab__ctx *c, const char *name, const struct lab_origin *o)
{
	struct lab_domain *d;

	for (size_t i = 0; i < c->n_decls; i++)
		if (strcmp(c->decls[i].name, name) == 0)
			return &c->decls[i];
	c->decls = xreallocarray(c->decls, c->n_decls + 1, sizeof *c->decls);
	d = &c->decls[c->n_decls++];
	memset(d, 0, sizeof *d);
	d->name = xstrdup(name);
	d->origin = lab__origin(o->file, o->line, o->col);
	lab_nat_init(&d->nat);
	d->nat.enabled = true;
	d->nat.origin = lab__origin(o->file, o->line, o->col);
	return d;
}

/*
 * Netkit's host[N]=tap,TAP,GUEST: the interface joins the lab's nat domain
 * "tap" with address GUEST; the first TAP is its gateway (Netkit, too, takes
 * TAP only from the first tap interface of a user).
 */
static void
tap(struct line *l, struct lab_host *h, unsigned int n, const char *value,
    const struct lab_origin *o)
{
	char *copy = xstrdup(value + strlen(LAB_TAP_DOMAIN) + 1), *guest = strchr(copy, ','),
	     *why = NULL;
	struct lab_nat nat;
	struct lab_domain *d;
	uint32_t addr;
	char a[16];
	bool fresh = true;

	if (guest != NULL)
		*guest++ = '\0';
	for (size_t i = 0; i < l->c->n_decls; i++)
		fresh &= strcmp(l->c->decls[i].name, LAB_TAP_DOMAIN) != 0;
	if (guest == NULL || strchr(guest, ',') != NULL) {
		lab__report_at(
		        l->c, LAB_E_SYNTAX, o, NULL,
		        "eth%u of host '%s': a tap interface is tap,TAP-ADDRESS,GUEST-ADDRESS", n,
		        h->name);
	} else if (!lab_nat_from_tap(copy, guest, &nat, &addr, &why)) {
		lab__report_at(l->c, LAB_E_TYPE, o, NULL, "eth%u of host '%s': %s", n, h->name,
		               why);
	} else {
		d = nat_decl(l->c, LAB_TAP_DOMAIN, o);
		if (fresh) {
			d->nat.network = nat.network;
			d->nat.prefix = nat.prefix;
			d->nat.gateway = nat.gateway;
		} else if (nat.gateway != d->nat.gateway) {
			lab_ipv4_format(d->nat.gateway, a);
			lab__report_at(
			        l->c, LAB_W_UNSUPPORTED, o, NULL,
			        "eth%u of host '%s': tap address %s ignored: the tap domain's "
			        "gateway is %s, from its first interface (as in Netkit)",
			        n, h->name, copy, a);
		}
		lab__host_add_iface(h, n, LAB_TAP_DOMAIN, NULL, o);
		h->ifaces[h->n_ifaces - 1].address = addr;
		h->ifaces[h->n_ifaces - 1].address_given = true;
		lab__host_add_option(h, "tap", value + strlen(LAB_TAP_DOMAIN) + 1, true, o);
	}
	free(why);
	free(copy);
}

/* host[N]=DOMAIN, DOMAIN/MAC, or a Netkit tap "tap,TAP,GUEST". */
static void
interface(struct line *l, struct lab_host *h, const char *key, char *value, unsigned int col)
{
	struct lab_origin o = at(l, col);
	char mac[18], *slash, *comma;
	unsigned long n;

	if (!lab__parse_uint(key, LAB_IFACES_MAX - 1, &n)) {
		lab__report_at(l->c, LAB_E_TYPE, &o, NULL,
		               "interface number %s of host '%s' is outside 0..%d", key, h->name,
		               LAB_IFACES_MAX - 1);
	} else if (value == NULL || *value == '\0') {
		lab__report_at(l->c, LAB_E_SYNTAX, &o, NULL,
		               "interface eth%lu of host '%s' has no collision domain", n, h->name);
	} else if (strncmp(value, LAB_TAP_DOMAIN ",", strlen(LAB_TAP_DOMAIN) + 1) == 0) {
		tap(l, h, (unsigned int)n, value, &o);
	} else if ((comma = strchr(value, ',')) != NULL) {
		lab__host_add_option(h, key, value, false, &o);
		*comma = '\0';
		lab__report_at(l->c, LAB_W_UNSUPPORTED, &o, NULL,
		               "'%s,...' is not Netkit's tap,TAP,GUEST: eth%lu of host '%s' joins "
		               "an isolated domain '%s'",
		               value, n, h->name, value);
		lab__host_add_iface(h, (unsigned int)n, value, NULL, &o);
	} else if ((slash = strchr(value, '/')) != NULL) {
		*slash = '\0';
		if (!lab__parse_mac(slash + 1, mac))
			lab__report_at(l->c, LAB_E_TYPE, &o, NULL,
			               "'%s' is not a unicast MAC address like 02:00:00:00:00:01",
			               slash + 1);
		else
			lab__host_add_iface(h, (unsigned int)n, value, mac, &o);
	} else {
		lab__host_add_iface(h, (unsigned int)n, value, NULL, &o);
	}
	lab__origin_free(&o);
}

/* mem/M: a size within bounds. */
static bool
opt_mem(struct line *l, struct lab_host *h, const char *value, const struct lab_origin *o)
{
	unsigned long mb;

	if (!lab__parse_memory(value, &mb)) {
		lab__report_at(l->c, LAB_E_TYPE, o, NULL,
		               "memory '%s' is not a size like 64, 64m or 1G", value);
	} else if (mb < LAB_MEM_MIN_MB || mb > LAB_MEM_MAX_MB) {
		lab__report_at(l->c, LAB_E_MEMORY, o, NULL, "memory %luM is outside %u..%u MiB", mb,
		               LAB_MEM_MIN_MB, LAB_MEM_MAX_MB);
	} else {
		h->memory_mb = (unsigned int)mb;
		return true;
	}
	return false;
}

/*
 * Kathara's port="[HOST:]GUEST[/PROTOCOL]" (HOST 3000 when absent, PROTOCOL
 * tcp): a forward from the host's 127.0.0.1:HOST to the host's bridged
 * interface. True when honoured; false for sctp, which slirp cannot carry.
 */
static bool
kathara_port(struct line *l, struct lab_host *h, const char *value, const struct lab_origin *o)
{
	char *copy = xstrdup(value), *proto = strchr(copy, '/'), *colon, *spec, *why = NULL;
	struct lab_forward f;
	bool ok = false;

	if (proto != NULL)
		*proto++ = '\0';
	colon = strchr(copy, ':');
	if (proto != NULL && strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0 &&
	    strcmp(proto, "sctp") != 0) {
		lab__report_at(l->c, LAB_E_TYPE, o, NULL,
		               "host '%s': port=%s: protocol '%s' is not tcp, udp or sctp", h->name,
		               value, proto);
		free(copy);
		return false;
	}
	if (proto != NULL && strcmp(proto, "sctp") == 0) {
		lab__report_at(l->c, LAB_W_UNSUPPORTED, o, NULL,
		               "host '%s': port=%s: the user-mode NAT forwards tcp and udp, not "
		               "sctp; ignored",
		               h->name, value);
		free(copy);
		return false;
	}
	if (colon != NULL)
		*colon = '\0';
	spec = xasprintf("%s:%s:%s:%s", proto != NULL ? proto : "tcp",
	                 colon != NULL ? copy : "3000", h->name, colon != NULL ? colon + 1 : copy);
	if (!lab_forward_parse(spec, &f, &why)) {
		lab__report_at(l->c, LAB_E_TYPE, o, NULL,
		               "host '%s': port=%s is not Kathara's [HOST:]GUEST[/tcp|udp]: %s",
		               h->name, value, why);
	} else {
		struct lab_nat *nat = &nat_decl(l->c, LAB_BRIDGED_DOMAIN, o)->nat;

		f.origin = lab__origin(o->file, o->line, o->col);
		nat->forwards =
		        xreallocarray(nat->forwards, nat->n_forwards + 1, sizeof *nat->forwards);
		nat->forwards[nat->n_forwards++] = f;
		ok = true;
	}
	free(why);
	free(spec);
	free(copy);
	return ok;
}

/* Options the model maps to fields; false when the key is not one of them. */
static bool
honoured_option(struct line *l, struct lab_host *h, const char *key, const char *value,
                const struct lab_origin *o)
{
	unsigned long u;
	bool b;

	if (strcmp(key, "mem") == 0 || strcmp(key, "M") == 0) {
		opt_mem(l, h, value, o);
	} else if (strcmp(key, "sysctl") == 0) {
		if (!lab__sysctl_valid(value))
			lab__report_at(l->c, LAB_E_TYPE, o, NULL,
			               "sysctl '%s' is not like net.ipv4.ip_forward=1", value);
		strv_push(&h->sysctls, &h->n_sysctls, value);
	} else if (strcmp(key, "exec") == 0 || strcmp(key, "e") == 0) {
		strv_push(&h->execs, &h->n_execs, value);
	} else if (strcmp(key, "num_terms") == 0) {
		if (!lab__parse_uint(value, 16, &u))
			lab__report_at(l->c, LAB_E_TYPE, o, NULL,
			               "num_terms must be a number from 0 to 16, not '%s'", value);
		else
			h->num_terms = (unsigned int)u;
		return u <= 1; /* more consoles: warned about in validation */
	} else if (strcmp(key, "ipv6") == 0) {
		if (!lab__parse_bool(value, &b))
			lab__report_at(l->c, LAB_E_TYPE, o, NULL,
			               "ipv6 must be true or false, not '%s'", value);
		else
			h->ipv6 = h->ipv6_forwarding = b; /* Kathara: ipv6=true forwards too */
	} else if (strcmp(key, "bridged") == 0) {
		if (!lab__parse_bool(value, &b))
			lab__report_at(l->c, LAB_E_TYPE, o, NULL,
			               "bridged must be true or false, not '%s'", value);
	} else if (strcmp(key, "port") == 0) {
		return kathara_port(l, h, value, o);
	} else if (strcmp(key, "kernel") == 0 || strcmp(key, "k") == 0) {
		free(h->kernel);
		h->kernel = xstrdup(value);
	} else if (strcmp(key, "append") == 0) {
		char *copy = xstrdup(value), *save = NULL;

		for (char *w = strtok_r(copy, " \t", &save); w != NULL;
		     w = strtok_r(NULL, " \t", &save)) {
			if (!lab_karg_valid(w))
				lab__report_at(
				        l->c, LAB_E_TYPE, o, NULL,
				        "kernel argument '%s' has quotes or control characters", w);
			strv_push(&h->kargs, &h->n_kargs, w);
		}
		free(copy);
	} else {
		return false;
	}
	return true;
}

/* Options that mean nothing without a value. */
static bool
needs_value(const char *key)
{
	static const char *const keys[] = {"mem",       "M",    "sysctl", "exec", "e",
	                                   "num_terms", "ipv6", "kernel", "k",    "append",
	                                   "bridged",   "port", NULL};

	for (int i = 0; keys[i] != NULL; i++)
		if (strcmp(key, keys[i]) == 0)
			return true;
	return false;
}

/* host[key]=value (value NULL for a bare flag): keep it, map it, or warn. */
static void
option(struct line *l, struct lab_host *h, const char *key, const char *value, unsigned int col)
{
	struct lab_origin o = at(l, col);
	bool honoured = false;

	if (value == NULL && needs_value(key))
		lab__report_at(l->c, LAB_E_SYNTAX, &o, NULL,
		               "option '%s' of host '%s' needs a value", key, h->name);
	else if (value != NULL)
		honoured = honoured_option(l, h, key, value, &o);
	lab__host_add_option(h, key, value, honoured, &o);
	if (honoured || (value == NULL && needs_value(key)))
		; /* mapped to a field, or already an error */
	else if (strcmp(key, "image") == 0)
		lab__report_at(l->c, LAB_W_UNSUPPORTED, &o, NULL,
		               "host '%s': image '%s' is a container image; the default model "
		               "filesystem is used",
		               h->name, value != NULL ? value : "");
	else if (strcmp(key, "num_terms") == 0)
		lab__report_at(l->c, LAB_W_UNSUPPORTED, &o, NULL,
		               "host '%s': num_terms=%s: umlab gives each host one console; open "
		               "more shells with lconnect or lexec",
		               h->name, value);
	else if (strcmp(key, "bridged") == 0 || strcmp(key, "port") == 0)
		; /* a bad value: reported where it was read */
	else
		lab__report_at(l->c, LAB_W_UNSUPPORTED, &o, NULL,
		               "host '%s': %s '%s' is not supported; kept but ignored", h->name,
		               value == NULL ? "flag" : "option", key);
	lab__origin_free(&o);
}

/* NAME[KEY], NAME[KEY]= or NAME[KEY]=VALUE; false when the line is not of that shape. */
static bool
host_line(struct line *l, char *text)
{
	char *open = strchr(text, '['), *close, *name, *key, *rest, *value = NULL;
	struct lab_origin o;
	struct lab_host *h;
	bool blanks;

	if (open == NULL || memchr(text, '=', (size_t)(open - text)) != NULL ||
	    (close = strchr(open, ']')) == NULL)
		return false;
	*open = '\0';
	*close = '\0';
	name = text;
	key = open + 1;
	rest = close + 1;
	blanks = trim(&name);
	blanks = trim(&key) || blanks;
	blanks = trim(&rest) || blanks;
	if (*rest == '=') {
		value = rest + 1;
		blanks = trim(&value) || blanks;
		if (!unquote(&value))
			return false;
		if (*value == '\0' && key[0] != '\0' && !isdigit((unsigned char)key[0]))
			value = NULL; /* pc1[D]= is the man page's spelling of pc1[D] */
	} else if (*rest != '\0') {
		return false;
	}
	if (blanks)
		lab__report(l->c, LAB_W_STYLE, l->file, l->no, 1, NULL,
		            "blanks around the name, key or value");
	if (!lab_name_valid(name)) {
		lab__report(l->c, LAB_E_NAME, l->file, l->no, 1, NULL,
		            "host name '%s' is not [A-Za-z0-9][A-Za-z0-9_-]{0,31} (or is reserved)",
		            name);
		return true;
	}
	if (*key == '\0') {
		lab__report(l->c, LAB_E_SYNTAX, l->file, l->no, (unsigned int)(open - text) + 2,
		            NULL, "empty key in %s[]", name);
		return true;
	}
	o = at(l, 1);
	h = lab__host_get(l->c, name, &o);
	lab__origin_free(&o);
	if (isdigit((unsigned char)key[0]))
		interface(l, h, key, value, (unsigned int)(rest - text) + 2);
	else
		option(l, h, key, value, (unsigned int)(key - text) + 1);
	return true;
}

/* LAB_MACHINES=a,b or machines="a b": the explicit host list. */
static void
machines(struct line *l, const char *var, char *value)
{
	struct lab__ctx *c = l->c;
	char *save = NULL;

	if (c->has_machines) {
		lab__report(c, LAB_W_STYLE, l->file, l->no, 1, NULL,
		            "%s ignored: the host list was already given at line %u", var,
		            c->machines_origin.line);
		return;
	}
	c->has_machines = true;
	c->machines_origin = at(l, 1);
	for (char *w = strtok_r(value, ", \t", &save); w != NULL;
	     w = strtok_r(NULL, ", \t", &save)) {
		if (!lab_name_valid(w))
			lab__report(c, LAB_E_NAME, l->file, l->no, 1, NULL,
			            "%s: host name '%s' is not [A-Za-z0-9][A-Za-z0-9_-]{0,31}", var,
			            w);
		else if (strv_find(c->machines, c->n_machines, w) >= 0)
			lab__report(c, LAB_E_DUPLICATE, l->file, l->no, 1, NULL,
			            "%s names host '%s' twice", var, w);
		else
			strv_push(&c->machines, &c->n_machines, w);
	}
}

/* VAR=VALUE lines: LAB_* metadata and the host lists; false when not of that shape. */
static bool
var_line(struct line *l, char *text)
{
	static const char *const meta[] = {
	        "LAB_DESCRIPTION", "LAB_VERSION", "LAB_AUTHOR", "LAB_EMAIL",
	        "LAB_WEB",         "LAB_NAME",    NULL};
	struct lab *lab = l->c->lab;
	char **fields[] = {&lab->description, &lab->version, &lab->author,
	                   &lab->email,       &lab->web,     &lab->name};
	char *eq = strchr(text, '='), *var = text, *value;

	if (eq == NULL)
		return false;
	*eq = '\0';
	value = eq + 1;
	trim(&var);
	trim(&value);
	if (*var == '\0' || !unquote(&value))
		return false;
	for (char *p = var; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			return false;
	if (strcmp(var, "LAB_MACHINES") == 0 || strcmp(var, "machines") == 0) {
		machines(l, var, value);
		return true;
	}
	for (int i = 0; meta[i] != NULL; i++) {
		if (strcmp(var, meta[i]) != 0)
			continue;
		if (*fields[i] != NULL)
			lab__report(l->c, LAB_W_STYLE, l->file, l->no, 1, NULL,
			            "%s given again; the first one is kept", var);
		else
			*fields[i] = xstrdup(value);
		return true;
	}
	lab__report(l->c, LAB_W_UNSUPPORTED, l->file, l->no, 1, NULL,
	            "variable %s is not used by umlab; line ignored", var);
	return true;
}

/* One line without its end-of-line. */
static void
conf_line(struct line *l, const char *raw, size_t len)
{
	char *copy, *text;

	if (memchr(raw, '\0', len) != NULL) {
		lab__report(l->c, LAB_W_STYLE, l->file, l->no, 0, NULL,
		            "line ignored: it contains a NUL byte");
		return;
	}
	copy = xstrndup(raw, len);
	text = copy;
	if (trim(&text) && *text != '\0' && *text != '#')
		lab__report(l->c, LAB_W_STYLE, l->file, l->no, 1, NULL,
		            "leading or trailing blanks (Netkit-JH rejects them)");
	if (*text != '\0' && *text != '#' && !host_line(l, text)) {
		/* host_line may have cut the copy: reread the line to quote it. */
		free(copy);
		copy = xstrndup(raw, len);
		text = copy;
		trim(&text);
		if (!var_line(l, text)) {
			free(copy);
			copy = xstrndup(raw, len);
			text = copy;
			trim(&text);
			lab__report(l->c, LAB_W_STYLE, l->file, l->no, 1, NULL,
			            "line ignored: '%.60s' is not HOST[KEY]=VALUE nor VAR=VALUE",
			            text);
		}
	}
	free(copy);
}

/* With an explicit host list, hosts follow its order; others are dropped with a warning. */
static void
apply_machines(struct lab__ctx *c)
{
	struct lab *lab = c->lab;
	struct lab_host *old = lab->hosts;
	size_t n_old = lab->n_hosts;

	lab->hosts = NULL;
	lab->n_hosts = 0;
	for (size_t i = 0; i < c->n_machines; i++) {
		struct lab_host *h = lab__host_get(c, c->machines[i], &c->machines_origin);

		for (size_t j = 0; j < n_old; j++) {
			if (old[j].name == NULL || strcmp(old[j].name, c->machines[i]) != 0)
				continue;
			lab__host_free(h);
			*h = old[j];
			old[j].name = NULL;
		}
	}
	for (size_t j = 0; j < n_old; j++) {
		if (old[j].name == NULL)
			continue;
		lab__report_at(c, LAB_W_STYLE, &old[j].origin, NULL,
		               "host '%s' is configured but not in the host list at line %u; "
		               "it is not part of the lab",
		               old[j].name, c->machines_origin.line);
		lab__host_free(&old[j]);
	}
	free(old);
}

/* Does host h ask for Kathara's bridged interface (bridged=true, or a port=)? */
static const struct lab_option *
wants_bridge(const struct lab_host *h)
{
	for (size_t k = 0; k < h->n_options; k++) {
		const struct lab_option *op = &h->options[k];
		bool b = false;

		if (!op->honoured || op->value == NULL)
			continue;
		if (strcmp(op->key, "port") == 0 ||
		    (strcmp(op->key, "bridged") == 0 && lab__parse_bool(op->value, &b) && b))
			return op;
	}
	return NULL;
}

/*
 * Kathara gives a bridged device (and one with ports) one more interface,
 * after its own, on a network that NATs to the host: here ethN+1 on the lab's
 * nat domain "bridged", which every such host shares.
 */
static void
add_bridged(struct lab__ctx *c)
{
	struct lab *lab = c->lab;
	const struct lab_host *user = NULL;
	unsigned int user_eth = 0;

	for (size_t j = 0; j < lab->n_hosts && user == NULL; j++)
		for (size_t k = 0; k < lab->hosts[j].n_ifaces && user == NULL; k++)
			if (strcmp(lab->hosts[j].ifaces[k].domain, LAB_BRIDGED_DOMAIN) == 0) {
				user = &lab->hosts[j];
				user_eth = lab->hosts[j].ifaces[k].index;
			}
	for (size_t i = 0; i < lab->n_hosts; i++) {
		struct lab_host *h = &lab->hosts[i];
		const struct lab_option *op = wants_bridge(h);
		unsigned int next = 0;

		if (op == NULL)
			continue;
		if (user != NULL) {
			lab__report_at(c, LAB_E_DUPLICATE, &op->origin, NULL,
			               "host '%s': %s needs the domain '%s' for its NAT interface, "
			               "and %s[%u] uses that name",
			               h->name, op->key, LAB_BRIDGED_DOMAIN, user->name, user_eth);
			continue;
		}
		for (size_t k = 0; k < h->n_ifaces; k++)
			if (h->ifaces[k].index + 1 > next)
				next = h->ifaces[k].index + 1;
		if (next >= LAB_IFACES_MAX) {
			lab__report_at(c, LAB_E_TYPE, &op->origin, NULL,
			               "host '%s': no interface number is left for its bridged "
			               "interface (eth%d is the last)",
			               h->name, LAB_IFACES_MAX - 1);
			continue;
		}
		nat_decl(c, LAB_BRIDGED_DOMAIN, &op->origin);
		lab__host_add_iface(h, next, LAB_BRIDGED_DOMAIN, NULL, &op->origin);
	}
}

/* Parse lab.conf text into c. */
void
lab__parse_conf_buf(struct lab__ctx *c, const char *buf, size_t len, const char *file)
{
	struct line l = {.c = c, .file = file, .no = 0};
	bool crlf_seen = false;
	size_t pos = 0;

	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl != NULL ? (size_t)(nl - buf) : len;
		size_t n = end - pos;

		l.no++;
		if (n > 0 && buf[pos + n - 1] == '\r') {
			n--;
			if (!crlf_seen)
				lab__report(c, LAB_W_STYLE, file, l.no, 0, NULL,
				            "CRLF (DOS) line ends; read as LF");
			crlf_seen = true;
		}
		conf_line(&l, buf + pos, n);
		pos = end + 1;
	}
	if (c->has_machines)
		apply_machines(c);
	add_bridged(c);
}
