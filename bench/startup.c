/*
 * bench/startup.c — time from exec to ready, and idle RSS, of a server
 * (bench/all.sh; not part of the product).
 *
 *   startup PORT IDLE_MS PATH CMD [ARGS...]
 *
 * Takes CLOCK_MONOTONIC, forks and execs CMD, then polls
 * http://127.0.0.1:PORT/PATH (a fresh TCP connection and one GET each
 * time, 100 µs apart) until an answer starts with "HTTP/1.x 200".  The
 * time from just before the fork to that answer is "ready".  Then it
 * leaves the server idle for IDLE_MS, reads VmRSS, VmHWM, RssAnon and
 * RssFile (pages of mapped files: SQLite's mmap of the database counts
 * here) from /proc/PID/status, sends SIGTERM and waits for the child.
 * Prints
 *
 *   ready_ms=4.213 rss_kib=7312 hwm_kib=7400 anon_kib=2100 file_kib=5212
 *
 * (the server's stdout, its access log, goes to /dev/null) and exits 0, or 1 with a message when the server exits or is not ready
 * within 10 s.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* One GET; 1 when the answer is a 200. */
static int probe(int port, const char *path)
{
	struct sockaddr_in sa = { 0 };
	char req[256], resp[64];
	int ok = 0;

	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return 0;
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0) {
		int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", path);
		if (write(fd, req, (size_t)n) == n) {
			size_t got = 0;
			ssize_t r;
			while (got < 12 && (r = read(fd, resp + got, sizeof resp - 1 - got)) > 0)
				got += (size_t)r;
			resp[got] = '\0';
			ok = got >= 12 && strncmp(resp, "HTTP/1.", 7) == 0 && strncmp(resp + 9, "200", 3) == 0;
		}
	}
	close(fd);
	return ok;
}

static long status_kib(pid_t pid, const char *field)
{
	char path[64], line[256];
	long v = -1;
	size_t n = strlen(field);

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, field, n) == 0 && line[n] == ':') {
			v = strtol(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: startup PORT IDLE_MS PATH CMD [ARGS...]\n");
		return 2;
	}
	int port = atoi(argv[1]);
	long idle_ms = atol(argv[2]);
	const char *path = argv[3];

	double t0 = now_ms();
	pid_t pid = fork();
	if (pid < 0) {
		perror("startup: fork");
		return 1;
	}
	if (pid == 0) {
		/* The server's stdout is its access log: not ours. */
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0)
			dup2(null, 1);
		execvp(argv[4], argv + 4);
		perror("startup: exec");
		_exit(127);
	}
	double ready = -1;
	struct timespec gap = { 0, 100000 };
	while (now_ms() - t0 < 10000) {
		if (probe(port, path)) {
			ready = now_ms() - t0;
			break;
		}
		int st;
		if (waitpid(pid, &st, WNOHANG) == pid) {
			fprintf(stderr, "startup: the server exited before it was ready (status %d)\n", st);
			return 1;
		}
		nanosleep(&gap, NULL);
	}
	if (ready < 0) {
		fprintf(stderr, "startup: not ready within 10 s\n");
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return 1;
	}
	struct timespec idle = { idle_ms / 1000, (idle_ms % 1000) * 1000000 };
	nanosleep(&idle, NULL);
	long rss = status_kib(pid, "VmRSS"), hwm = status_kib(pid, "VmHWM");
	long anon = status_kib(pid, "RssAnon"), file = status_kib(pid, "RssFile");
	kill(pid, SIGTERM);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	printf("ready_ms=%.3f rss_kib=%ld hwm_kib=%ld anon_kib=%ld file_kib=%ld\n", ready, rss, hwm, anon, file);
	return rss > 0 ? 0 : 1;
}
