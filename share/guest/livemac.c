/*
 * livemac: in front of ip(8) and ifconfig(8) in umlab guests (installed as
 * /usr/local/sbin/ip and /usr/local/sbin/ifconfig, which come first in
 * PATH). UML's network driver refuses a new MAC address while the interface
 * is up (EBUSY), where the veth devices Kathara labs were written for take
 * it; and lab.conf labs boot with their interfaces up (lab.conf(5)). So
 * "ip link set eth0 address MAC" and "ifconfig eth0 hw ether MAC" on an up
 * interface are run with the interface taken down around them, then brought
 * up again. Every other command goes straight to the real program (execv,
 * no extra process).
 */
#include <errno.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* The real programs, never ourselves in /usr/local/sbin. */
static const char *const ip_paths[] = {"/usr/bin/ip", "/usr/sbin/ip", "/bin/ip", "/sbin/ip", NULL};
static const char *const ifconfig_paths[] = {"/usr/sbin/ifconfig", "/sbin/ifconfig", NULL};

static const char *
real_program(const char *const *paths)
{
	for (size_t i = 0; paths[i] != NULL; i++)
		if (access(paths[i], X_OK) == 0)
			return paths[i];
	return NULL;
}

/* Does word abbreviate keyword (iproute2 accepts any prefix)? */
static bool
prefix_of(const char *word, const char *keyword)
{
	size_t n = strlen(word);

	return n > 0 && strncmp(word, keyword, n) == 0;
}

/* The interface "ip [OPTIONS] link set [dev] IF ... address MAC" changes, or NULL. */
static const char *
ip_mac_target(int argc, char **argv)
{
	int i = 1;
	const char *dev = NULL;
	bool address = false;

	/* Global options; -n/-netns (another namespace) and -batch: leave alone. */
	for (; i < argc && argv[i][0] == '-'; i++)
		if (strncmp(argv[i], "-n", 2) == 0 || strncmp(argv[i], "-b", 2) == 0)
			return NULL;
	if (i + 1 >= argc || !prefix_of(argv[i], "link") || !prefix_of(argv[i + 1], "set"))
		return NULL;
	for (i += 2; i < argc; i++) {
		if (strcmp(argv[i], "dev") == 0 && i + 1 < argc)
			dev = argv[++i];
		else if (strcmp(argv[i], "address") == 0 && i + 1 < argc)
			address = true, i++;
		else if (strcmp(argv[i], "down") == 0)
			return NULL; /* it ends down anyway: nothing to restore */
		else if (dev == NULL && argv[i][0] != '-')
			dev = argv[i];
	}
	return address ? dev : NULL;
}

/* The interface "ifconfig IF hw ether MAC ..." changes, or NULL. */
static const char *
ifconfig_mac_target(int argc, char **argv)
{
	bool hw = false;

	if (argc < 5)
		return NULL;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "hw") == 0)
			hw = true;
		else if (strcmp(argv[i], "down") == 0)
			return NULL;
	}
	return hw ? argv[1] : NULL;
}

/* Set or clear IFF_UP on dev; returns whether it was up before. */
static bool
set_up(const char *dev, bool up)
{
	struct ifreq ifr = {0};
	bool was = false;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0 || strlen(dev) >= sizeof ifr.ifr_name) {
		if (s >= 0)
			close(s);
		return false;
	}
	memcpy(ifr.ifr_name, dev, strlen(dev));
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
		was = (ifr.ifr_flags & IFF_UP) != 0;
		if (was != up) {
			ifr.ifr_flags =
			        (short)(up ? ifr.ifr_flags | IFF_UP : ifr.ifr_flags & ~IFF_UP);
			ioctl(s, SIOCSIFFLAGS, &ifr);
		}
	}
	close(s);
	return was;
}

int
main(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	bool is_ifconfig = strcmp(base, "ifconfig") == 0;
	const char *real = real_program(is_ifconfig ? ifconfig_paths : ip_paths);
	const char *dev = is_ifconfig ? ifconfig_mac_target(argc, argv) : ip_mac_target(argc, argv);
	int status;
	pid_t pid;

	if (real == NULL) {
		fprintf(stderr, "%s: the real %s is not installed\n", base, base);
		return 127;
	}
	if (dev == NULL || !set_up(dev, false)) {
		/* Not a MAC change, or the interface is down already: as is. */
		execv(real, argv);
		fprintf(stderr, "%s: %s: %s\n", base, real, strerror(errno));
		return 127;
	}
	pid = fork();
	if (pid == 0) {
		execv(real, argv);
		_exit(127);
	}
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	set_up(dev, true);
	if (pid < 0)
		return 127;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
