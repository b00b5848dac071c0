/*
 * tests/hub/uml-ping.c: the guest side of the UML ping test.
 *
 *   uml-ping PEER-IP RESULT PEER-RESULT
 *
 * Runs inside a UML guest (hostfs root, so host paths work): sends ICMP
 * echo requests to PEER-IP every 100 ms until three replies came back,
 * writes "ok N" (or "fail") to RESULT, then keeps pinging until the peer
 * has written PEER-RESULT, so that neither guest powers off while the other
 * still needs its answers; then powers the guest off.  Every wait has a
 * 90-second deadline.  A raw socket is used because the guest's init runs
 * as root and the host need not have ping installed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define DEADLINE_MS 90000

/* Returns a monotonic time in milliseconds. */
static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Computes the internet checksum of len bytes. */
static unsigned short
cksum(const void *data, size_t len)
{
	const unsigned char *p = data;
	unsigned long sum = 0;

	for (; len > 1; len -= 2, p += 2)
		sum += (unsigned long)(p[0] << 8 | p[1]);
	if (len)
		sum += (unsigned long)(p[0] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((unsigned short)~sum);
}

/* Sends one echo request with sequence number seq. */
static void
send_echo(int fd, const struct sockaddr_in *to, unsigned short seq)
{
	unsigned char pkt[64];
	struct icmphdr *h = (struct icmphdr *)pkt;

	memset(pkt, 0xab, sizeof(pkt));
	h->type = ICMP_ECHO;
	h->code = 0;
	h->checksum = 0;
	h->un.echo.id = htons((unsigned short)getpid());
	h->un.echo.sequence = htons(seq);
	h->checksum = cksum(pkt, sizeof(pkt));
	sendto(fd, pkt, sizeof(pkt), 0, (const struct sockaddr *)to, sizeof(*to));
}

/* Reads pending packets; returns how many were echo replies from the peer to us. */
static int
read_replies(int fd, const struct sockaddr_in *peer)
{
	unsigned char buf[2048];
	struct sockaddr_in from;
	socklen_t flen = sizeof(from);
	int n = 0;
	ssize_t len;

	while ((len = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from,
	                       &flen)) > 0) {
		const struct iphdr *ip = (const struct iphdr *)buf;
		const struct icmphdr *h;

		if ((size_t)len < sizeof(*ip) || (size_t)len < ip->ihl * 4U + sizeof(*h))
			continue;
		h = (const struct icmphdr *)(buf + ip->ihl * 4);
		if (from.sin_addr.s_addr == peer->sin_addr.s_addr && h->type == ICMP_ECHOREPLY &&
		    h->un.echo.id == htons((unsigned short)getpid()))
			n++;
		flen = sizeof(from);
	}
	return n;
}

/* Pings the peer, records the result, waits for the peer, powers off. */
int
main(int argc, char **argv)
{
	struct sockaddr_in peer = {.sin_family = AF_INET};
	struct pollfd pfd = {.events = POLLIN};
	long long end = now_ms() + DEADLINE_MS, next = 0;
	unsigned short seq = 0;
	int fd, replies = 0;
	FILE *f;

	if (argc != 4 || inet_pton(AF_INET, argv[1], &peer.sin_addr) != 1) {
		fprintf(stderr, "usage: uml-ping PEER-IP RESULT PEER-RESULT\n");
		return 2;
	}
	if ((fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)) == -1) {
		perror("uml-ping: socket");
		return 1;
	}
	pfd.fd = fd;
	/* Ping until three replies, then until the peer is done as well. */
	while (now_ms() < end && (replies < 3 || access(argv[3], F_OK) != 0)) {
		if (now_ms() >= next) {
			send_echo(fd, &peer, seq++);
			next = now_ms() + 100;
		}
		if (poll(&pfd, 1, 100) == 1)
			replies += read_replies(fd, &peer);
		if (replies >= 3 && access(argv[2], F_OK) != 0) {
			if ((f = fopen(argv[2], "w")) != NULL) {
				fprintf(f, "ok %d replies from %s\n", replies, argv[1]);
				fclose(f);
			}
		}
	}
	if (replies < 3 && (f = fopen(argv[2], "w")) != NULL) {
		fprintf(f, "fail: %d replies from %s after %u requests\n", replies, argv[1], seq);
		fclose(f);
	}
	printf("uml-ping: %d replies from %s\n", replies, argv[1]);
	fflush(stdout);
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
