/*
 * sim-load: a tiny HTTP/1.1 load generator for bench/sim-bench.sh (not part of the build).
 *
 *   sim-load rate  PORT PATH KEY THREADS SECONDS   keep-alive GETs; prints requests per second
 *   sim-load burst PORT PATH KEY N                 N requests at once, one connection each;
 *                                                  prints the wall time in milliseconds
 *
 * Every answer must be a 200; anything else is counted and reported as an error.
 */
#define _GNU_SOURCE /* strcasestr */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int port;
static const char *path, *key;
static volatile int stop;
static pthread_barrier_t barrier;

struct worker {
	pthread_t th;
	long ok;
	long bad;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int dial(void)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* One request on fd; returns the status, or -1 when the connection failed. */
static int request(int fd, int keep)
{
	char req[1024], buf[65536];
	size_t have = 0;
	long clen = -1;
	char *hdr_end = NULL, *cl;
	int n, status;

	n = snprintf(req, sizeof(req),
		     "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nAuthorization: Bearer %s\r\n%s\r\n",
		     path, port, key, keep ? "" : "Connection: close\r\n");
	if (write(fd, req, (size_t)n) != n)
		return -1;
	while (!hdr_end || (long)(have - (size_t)(hdr_end + 4 - buf)) < clen) {
		ssize_t r = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (r <= 0)
			return -1;
		have += (size_t)r;
		buf[have] = '\0';
		if (!hdr_end && (hdr_end = strstr(buf, "\r\n\r\n")) != NULL) {
			cl = strcasestr(buf, "\r\nContent-Length:");
			clen = cl ? strtol(cl + 17, NULL, 10) : 0;
		}
		if (have >= sizeof(buf) - 1)
			return -1;
	}
	if (sscanf(buf, "HTTP/1.1 %d", &status) != 1)
		return -1;
	return status;
}

static void *rate_worker(void *arg)
{
	struct worker *w = arg;
	int fd = dial();

	pthread_barrier_wait(&barrier);
	while (!stop) {
		int st = fd < 0 ? -1 : request(fd, 1);
		if (st == 200) {
			w->ok++;
			continue;
		}
		w->bad++;
		if (fd >= 0)
			close(fd);
		fd = dial();
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

static void *burst_worker(void *arg)
{
	struct worker *w = arg;
	int fd;

	pthread_barrier_wait(&barrier);
	fd = dial();
	if (fd >= 0 && request(fd, 0) == 200)
		w->ok++;
	else
		w->bad++;
	if (fd >= 0)
		close(fd);
	return NULL;
}

int main(int argc, char **argv)
{
	struct worker *ws;
	long n, ok = 0, bad = 0;
	double t0, secs = 0;
	int rate;

	if (argc < 6 || (strcmp(argv[1], "rate") && strcmp(argv[1], "burst")) ||
	    (!strcmp(argv[1], "rate") && argc < 7)) {
		fprintf(stderr, "usage: sim-load rate PORT PATH KEY THREADS SECONDS\n"
				"       sim-load burst PORT PATH KEY N\n");
		return 64;
	}
	rate = !strcmp(argv[1], "rate");
	port = (int)strtol(argv[2], NULL, 10);
	path = argv[3];
	key = argv[4];
	n = strtol(argv[5], NULL, 10);
	if (rate)
		secs = strtod(argv[6], NULL);
	ws = calloc((size_t)n, sizeof(*ws));
	pthread_barrier_init(&barrier, NULL, (unsigned)n + 1);
	for (long i = 0; i < n; i++)
		pthread_create(&ws[i].th, NULL, rate ? rate_worker : burst_worker, &ws[i]);
	pthread_barrier_wait(&barrier);
	t0 = now();
	if (rate) {
		struct timespec ts = { (time_t)secs, (long)((secs - (double)(time_t)secs) * 1e9) };
		nanosleep(&ts, NULL);
		stop = 1;
	}
	for (long i = 0; i < n; i++) {
		pthread_join(ws[i].th, NULL);
		ok += ws[i].ok;
		bad += ws[i].bad;
	}
	if (rate)
		printf("%.0f requests/s (%ld ok, %ld errors, %ld connections, %.1f s)\n",
		       (double)ok / (now() - t0), ok, bad, n, secs);
	else
		printf("%.0f ms for %ld concurrent requests (%ld ok, %ld errors)\n",
		       (now() - t0) * 1000.0, n, ok, bad);
	free(ws);
	return bad ? 1 : 0;
}
