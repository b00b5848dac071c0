/*
 * hub/pcap.c: pcap format (microsecond timestamps, Ethernet link type) for
 * the --pcap file and the live capture streams.
 *
 * The file is written through a large stdio buffer, so capturing costs one
 * memcpy per frame on the forwarding path; a one-second timer (main.c)
 * flushes it so that a reader sees recent frames, and exit flushes the rest.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hub-int.h"

#define PCAP_MAGIC    0xa1b2c3d4U
#define PCAP_SNAPLEN  65535U
#define PCAP_LINKTYPE 1U /* LINKTYPE_ETHERNET */

/* Fills the 24-byte pcap global header (host byte order, as readers expect). */
void
hub__pcap_header(unsigned char hdr[24])
{
	uint32_t magic = PCAP_MAGIC, snap = PCAP_SNAPLEN, link = PCAP_LINKTYPE, zero = 0;
	uint16_t major = 2, minor = 4;

	memcpy(hdr, &magic, 4);
	memcpy(hdr + 4, &major, 2);
	memcpy(hdr + 6, &minor, 2);
	memcpy(hdr + 8, &zero, 4);  /* thiszone */
	memcpy(hdr + 12, &zero, 4); /* sigfigs */
	memcpy(hdr + 16, &snap, 4);
	memcpy(hdr + 20, &link, 4);
}

/* Fills the 16-byte record header of one frame. */
void
hub__pcap_record(unsigned char rec[16], const struct hub_rx *rx)
{
	uint32_t sec = (uint32_t)rx->ts.tv_sec, usec = (uint32_t)(rx->ts.tv_nsec / 1000);

	memcpy(rec, &sec, 4);
	memcpy(rec + 4, &usec, 4);
	memcpy(rec + 8, &rx->len, 4);
	memcpy(rec + 12, &rx->len, 4);
}

/* Creates the capture file and writes its header. */
int
hub__pcap_open(struct hub *hub, const char *path, struct hub_err *err)
{
	unsigned char hdr[24];
	struct stat st;
	int fd;

	/* Where others may write (a lab's hostwd): never through a symlink, never
	 * blocked by a FIFO, only ever a regular file. */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0666);
	if (fd == -1)
		return hub__err_errno(err, errno, "%s", path);
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return hub__err(err, "%s: not a regular file", path);
	}
	if ((hub->pcap = fdopen(fd, "we")) == NULL) {
		int e = errno;

		close(fd);
		return hub__err_errno(err, e, "%s", path);
	}
	setvbuf(hub->pcap, NULL, _IOFBF, 1U << 18);
	hub__pcap_header(hdr);
	if (fwrite(hdr, sizeof(hdr), 1, hub->pcap) != 1 || fflush(hub->pcap) != 0)
		return hub__err_errno(err, errno, "write %s", path);
	return 0;
}

/* Appends one frame to the capture file. */
void
hub__pcap_write(struct hub *hub, const struct hub_rx *rx)
{
	unsigned char rec[16];

	hub__pcap_record(rec, rx);
	fwrite(rec, sizeof(rec), 1, hub->pcap);
	fwrite(rx->data, rx->len, 1, hub->pcap);
	hub->pcap_dirty = 1;
}

/* Flushes and closes the capture file. */
void
hub__pcap_close(struct hub *hub)
{
	if (hub->pcap != NULL) {
		fclose(hub->pcap);
		hub->pcap = NULL;
	}
}
