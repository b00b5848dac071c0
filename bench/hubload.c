/*
 * bench/hubload.c: load generator for bench/hub.sh (not a test).
 *
 *   hubload VNL RECEIVERS FRAMES SIZE
 *
 * Opens RECEIVERS + 1 libvdeplug connections to VNL; one thread sends FRAMES
 * frames of SIZE bytes as fast as vde_send allows while another drains the
 * receivers with recvmmsg on their data sockets.  The receiver stops once
 * every copy has arrived, or 500 ms after the last frame when some were
 * lost.  Prints one line:
 *   sent S expected E delivered D lost L seconds T rate R
 * where rate is delivered frames per second (first send to last receive).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libvdeplug.h>

#define BATCH 64

static VDECONN *tx;
static unsigned long nframes, size;
static volatile int sending_done;
static struct timespec t_first;

/* Returns t in seconds. */
static double
secs(const struct timespec *t)
{
	return (double)t->tv_sec + (double)t->tv_nsec / 1e9;
}

/* Sends the frames as fast as the hub takes them. */
static void *
sender(void *arg)
{
	unsigned char buf[VDE_ETHBUFSIZE];
	unsigned long i;

	memset(buf, 0xff, 6);
	memcpy(buf + 6, "\x02\0\0\0\0\x01\x88\xb5", 8);
	memset(buf + 14, 0x5a, sizeof(buf) - 14);
	clock_gettime(CLOCK_MONOTONIC, &t_first);
	for (i = 0; i < nframes; i++) {
		memcpy(buf + 14, &i, sizeof(i));
		while (vde_send(tx, buf, size, 0) < 0 && errno == EINTR)
			;
	}
	sending_done = 1;
	return arg;
}

/* Connects the clients, runs the sender thread and drains the receivers. */
int
main(int argc, char **argv)
{
	static unsigned char bufs[BATCH][VDE_ETHBUFSIZE];
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	struct pollfd *pfd;
	VDECONN **rx;
	pthread_t th;
	struct timespec t_last = {0, 0}, now;
	unsigned long nrx, expected, delivered = 0, i;
	int k, n;

	if (argc != 5) {
		fprintf(stderr, "usage: hubload VNL RECEIVERS FRAMES SIZE\n");
		return 2;
	}
	nrx = strtoul(argv[2], NULL, 10);
	nframes = strtoul(argv[3], NULL, 10);
	size = strtoul(argv[4], NULL, 10);
	if (nrx == 0 || size < 14 || size > VDE_ETHBUFSIZE)
		return 2;
	expected = nrx * nframes;
	rx = calloc(nrx, sizeof(*rx));
	pfd = calloc(nrx, sizeof(*pfd));
	for (i = 0; i < nrx; i++) {
		if ((rx[i] = vde_open(argv[1], "hubload-rx", NULL)) == NULL) {
			fprintf(stderr, "hubload: vde_open %s: %s\n", argv[1], strerror(errno));
			return 1;
		}
		pfd[i].fd = vde_datafd(rx[i]);
		pfd[i].events = POLLIN;
	}
	if ((tx = vde_open(argv[1], "hubload-tx", NULL)) == NULL) {
		fprintf(stderr, "hubload: vde_open %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	for (k = 0; k < BATCH; k++) {
		iov[k].iov_base = bufs[k];
		iov[k].iov_len = sizeof(bufs[k]);
	}
	pthread_create(&th, NULL, sender, NULL);
	while (delivered < expected) {
		n = poll(pfd, nrx, 500);
		if (n == 0 && sending_done)
			break; /* the rest was lost */
		for (i = 0; i < nrx && n > 0; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			memset(msg, 0, sizeof(msg));
			for (k = 0; k < BATCH; k++) {
				msg[k].msg_hdr.msg_iov = &iov[k];
				msg[k].msg_hdr.msg_iovlen = 1;
			}
			k = recvmmsg(pfd[i].fd, msg, BATCH, MSG_DONTWAIT, NULL);
			if (k > 0) {
				delivered += (unsigned long)k;
				clock_gettime(CLOCK_MONOTONIC, &t_last);
			}
		}
	}
	pthread_join(th, NULL);
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (t_last.tv_sec == 0)
		t_last = now;
	printf("sent %lu expected %lu delivered %lu lost %lu seconds %.3f rate %.0f\n", nframes,
	       expected, delivered, expected - delivered, secs(&t_last) - secs(&t_first),
	       (double)delivered / (secs(&t_last) - secs(&t_first)));
	vde_close(tx);
	for (i = 0; i < nrx; i++)
		vde_close(rx[i]);
	return 0;
}
