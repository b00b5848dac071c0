/*
 * bench/hublat.c: per-frame latency through a hub at a paced load, for
 * bench/impair.sh (not a test).
 *
 *   hublat VNL RATE SECONDS SIZE DELAY_US
 *
 * Opens two libvdeplug connections to VNL.  A sender thread offers RATE
 * frames per second for SECONDS: each frame carries its sequence number and
 * the CLOCK_MONOTONIC time just before vde_send; a sender behind schedule
 * catches up at once, so the offered load holds on average (in bursts when
 * one wake-up is longer than the frame interval).  The main thread receives
 * with recvmmsg and takes the time right after each batch, so a frame's
 * latency is that time minus its send time.  Prints one line, in
 * microseconds, the lateness being the latency minus DELAY_US:
 *   sent S received R p50 A p99 B max C min D
 * (A, B, C, D: lateness percentiles, largest and smallest, in us).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libvdeplug.h>

#define BATCH 64

static VDECONN *tx;
static unsigned long rate, nframes, size;
static volatile int sending_done;

static uint64_t
now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

/* Offers the frames at the rate, catching up when late. */
static void *
sender(void *arg)
{
	unsigned char buf[VDE_ETHBUFSIZE];
	uint64_t start, t, due;
	struct timespec ts;
	unsigned long i;

	memset(buf, 0xff, 6);
	memcpy(buf + 6, "\x02\0\0\0\0\x01\x88\xb5", 8);
	memset(buf + 14, 0x5a, sizeof(buf) - 14);
	start = now_ns();
	for (i = 0; i < nframes; i++) {
		due = start + i * 1000000000ULL / rate;
		if ((t = now_ns()) < due) {
			ts.tv_sec = (time_t)(due / 1000000000ULL);
			ts.tv_nsec = (long)(due % 1000000000ULL);
			while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
				;
		}
		t = now_ns();
		memcpy(buf + 14, &i, sizeof(i));
		memcpy(buf + 22, &t, sizeof(t));
		while (vde_send(tx, buf, size, 0) < 0 && errno == EINTR)
			;
	}
	sending_done = 1;
	return arg;
}

static int
cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	static unsigned char bufs[BATCH][VDE_ETHBUFSIZE];
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	struct pollfd pfd;
	VDECONN *rx;
	pthread_t th;
	int64_t *lat, delay_ns;
	unsigned long got = 0;
	int k, n;

	if (argc != 6) {
		fprintf(stderr, "usage: hublat VNL RATE SECONDS SIZE DELAY_US\n");
		return 2;
	}
	rate = strtoul(argv[2], NULL, 10);
	nframes = rate * strtoul(argv[3], NULL, 10);
	size = strtoul(argv[4], NULL, 10);
	delay_ns = (int64_t)strtoll(argv[5], NULL, 10) * 1000;
	if (rate == 0 || nframes == 0 || size < 30 || size > VDE_ETHBUFSIZE)
		return 2;
	lat = calloc(nframes, sizeof(*lat));
	if ((rx = vde_open(argv[1], "hublat-rx", NULL)) == NULL ||
	    (tx = vde_open(argv[1], "hublat-tx", NULL)) == NULL) {
		fprintf(stderr, "hublat: vde_open %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	pfd.fd = vde_datafd(rx);
	pfd.events = POLLIN;
	for (k = 0; k < BATCH; k++) {
		iov[k].iov_base = bufs[k];
		iov[k].iov_len = sizeof(bufs[k]);
	}
	pthread_create(&th, NULL, sender, NULL);
	while (got < nframes) {
		/* Stop 2 s after the last frame was sent: the rest was lost. */
		n = poll(&pfd, 1, 2000);
		if (n == 0 && sending_done)
			break;
		if (n <= 0)
			continue;
		memset(msg, 0, sizeof(msg));
		for (k = 0; k < BATCH; k++) {
			msg[k].msg_hdr.msg_iov = &iov[k];
			msg[k].msg_hdr.msg_iovlen = 1;
		}
		n = recvmmsg(pfd.fd, msg, BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			continue;
		uint64_t t = now_ns();
		for (k = 0; k < n && got < nframes; k++) {
			uint64_t sent;

			if (msg[k].msg_len < 30)
				continue;
			memcpy(&sent, bufs[k] + 22, sizeof(sent));
			lat[got++] = (int64_t)(t - sent) - delay_ns;
		}
	}
	pthread_join(th, NULL);
	if (got == 0) {
		printf("sent %lu received 0\n", nframes);
		return 1;
	}
	qsort(lat, got, sizeof(*lat), cmp);
	printf("sent %lu received %lu p50 %.1f p99 %.1f max %.1f min %.1f\n", nframes, got,
	       lat[got / 2] / 1e3, lat[got * 99 / 100] / 1e3, lat[got - 1] / 1e3, lat[0] / 1e3);
	vde_close(tx);
	vde_close(rx);
	return 0;
}
