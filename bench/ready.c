/*
 * bench/ready.c — start a server command, poll GET /readyz on its port in
 * a tight loop, and report the time from exec to the first 200, then the
 * process's resident memory after it has been ready and idle a while.
 *
 *	ready [-i IDLE_MS] [-m] PORT -- quantumtrack serve --listen 127.0.0.1:PORT
 *
 * Prints "ready_ms R rss_kib K" on stdout; with -m also the mappings that
 * hold most of the RSS (from /proc/PID/smaps).  The child is sent SIGTERM
 * and reaped at the end.  Not a test: bench/startup.sh runs it.
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* 1 when GET /readyz answers 200. */
static int ready(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	int ok = 0;
	if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0) {
		static const char req[] = "GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
		char buf[512];
		if (write(fd, req, sizeof req - 1) == (ssize_t)(sizeof req - 1)) {
			ssize_t n = read(fd, buf, sizeof buf - 1);
			if (n > 12) {
				buf[n] = '\0';
				ok = strncmp(buf, "HTTP/1.1 200", 12) == 0;
			}
		}
	}
	close(fd);
	return ok;
}

static long status_kib(int pid, const char *field)
{
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%d/status", pid);
	FILE *f = fopen(path, "r");
	long v = -1;
	size_t n = strlen(field);
	while (f && fgets(line, sizeof line, f))
		if (strncmp(line, field, n) == 0 && line[n] == ':')
			v = atol(line + n + 1);
	if (f)
		fclose(f);
	return v;
}

struct mapping { char name[160]; long rss; };

static int by_rss(const void *a, const void *b)
{
	return (int)(((const struct mapping *)b)->rss - ((const struct mapping *)a)->rss);
}

/* The mappings by RSS, summed by name (anonymous ones by their address). */
static void print_maps(int pid)
{
	char path[64], line[512];
	snprintf(path, sizeof path, "/proc/%d/smaps", pid);
	FILE *f = fopen(path, "r");
	static struct mapping m[4096];
	int n = 0, cur = -1;
	while (f && fgets(line, sizeof line, f)) {
		unsigned long lo, hi;
		char perms[8];
		int off = 0;
		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %n", &lo, &hi, perms, &off) == 3 && off > 0) {
			char name[160];
			char *p = line + off;
			p[strcspn(p, "\n")] = '\0';
			if (*p)
				snprintf(name, sizeof name, "%s", strrchr(p, '/') ? strrchr(p, '/') + 1 : p);
			else
				snprintf(name, sizeof name, "[anon %s %lu KiB]", perms, (hi - lo) / 1024);
			cur = -1;
			for (int i = 0; i < n; i++)
				if (strcmp(m[i].name, name) == 0)
					cur = i;
			if (cur < 0 && n < 4096) {
				cur = n++;
				snprintf(m[cur].name, sizeof m[cur].name, "%s", name);
				m[cur].rss = 0;
			}
		} else if (cur >= 0 && strncmp(line, "Rss:", 4) == 0) {
			m[cur].rss += atol(line + 4);
		}
	}
	if (f)
		fclose(f);
	qsort(m, (size_t)n, sizeof m[0], by_rss);
	for (int i = 0; i < n && m[i].rss > 0; i++)
		printf("  %6ld KiB  %s\n", m[i].rss, m[i].name);
}

int main(int argc, char **argv)
{
	int idle_ms = 1000, maps = 0, opt;
	while ((opt = getopt(argc, argv, "i:m")) != -1) {
		if (opt == 'i')
			idle_ms = atoi(optarg);
		else if (opt == 'm')
			maps = 1;
		else
			return 2;
	}
	if (argc - optind < 2) {
		fprintf(stderr, "usage: ready [-i IDLE_MS] [-m] PORT -- COMMAND...\n");
		return 2;
	}
	int port = atoi(argv[optind]);
	char **cmd = argv + optind + 1;
	if (strcmp(cmd[0], "--") == 0)
		cmd++;
	double t0 = now_ms();
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		dup2(null, 2);
		execvp(cmd[0], cmd);
		_exit(127);
	}
	double t_ready = -1;
	while (now_ms() - t0 < 10000) {
		if (ready(port)) {
			t_ready = now_ms() - t0;
			break;
		}
		if (waitpid(pid, NULL, WNOHANG) == pid) {
			fprintf(stderr, "ready: the server exited\n");
			return 1;
		}
		struct timespec ts = { 0, 100000 };
		nanosleep(&ts, NULL);
	}
	struct timespec idle = { idle_ms / 1000, (idle_ms % 1000) * 1000000L };
	nanosleep(&idle, NULL);
	printf("ready_ms %.2f rss_kib %ld\n", t_ready, status_kib(pid, "VmRSS"));
	if (maps) {
		printf("  RssAnon %ld KiB, RssFile %ld KiB, threads via /proc\n",
			status_kib(pid, "RssAnon"), status_kib(pid, "RssFile"));
		print_maps(pid);
	}
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	return t_ready < 0;
}
