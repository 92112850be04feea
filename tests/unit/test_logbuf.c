#include "check.h"

#include "util/logbuf.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define THREADS 6
#define LINES_PER_THREAD 4000

/* A temp file opened for reading and writing, already unlinked. */
static int temp_fd(void)
{
	char path[] = "/tmp/qt-logbuf-XXXXXX";
	int fd = mkstemp(path);
	unlink(path);
	return fd;
}

/* The whole file (NUL-terminated, malloc'd); *len its size. */
static char *slurp(int fd, size_t *len)
{
	struct stat st;
	fstat(fd, &st);
	char *p = malloc((size_t)st.st_size + 1);
	*len = (size_t)pread(fd, p, (size_t)st.st_size, 0);
	p[*len] = '\0';
	return p;
}

/* Line i of thread t: its numbers, then padding of a length that varies
 * so lines wrap around the end of a ring at every offset. */
static size_t make_line(char *out, size_t cap, int t, int i)
{
	int n = snprintf(out, cap, "{\"t\":%d,\"i\":%d,\"pad\":\"", t, i);
	int pad = (i * 37 + t * 11) % 300;
	for (int k = 0; k < pad; k++)
		out[n++] = (char)('a' + (k + i) % 26);
	n += snprintf(out + n, cap - (size_t)n, "\"}");
	return (size_t)n;
}

/* Lines at the pace of requests, not of a loop that does nothing else:
 * every 100 lines the thread waits for the writer's next pass, so no ring
 * ever fills and nothing may be dropped. */
static void *put_lines(void *arg)
{
	int t = (int)(intptr_t)arg;
	char line[512];
	for (int i = 0; i < LINES_PER_THREAD; i++) {
		logbuf_put(line, make_line(line, sizeof line, t, i));
		if (i % 100 == 50)
			logbuf_flush();   /* the last 49 are left for the stop */
	}
	return NULL;
}

/* Every line whole and as made, each thread's in order; returns the
 * number of lines, or -1 at the first bad one. */
static long check_lines(char *text, int threads, int *next)
{
	long count = 0;
	for (int t = 0; t < threads; t++)
		next[t] = 0;
	for (char *line = text, *nl; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl)
			return -1;
		*nl = '\0';
		int t, i;
		if (sscanf(line, "{\"t\":%d,\"i\":%d,", &t, &i) != 2 || t < 0 || t >= threads || i < next[t])
			return -1;
		char want[512];
		make_line(want, sizeof want, t, i);
		if (strcmp(line, want) != 0)
			return -1;
		next[t] = i + 1;
		count++;
	}
	return count;
}

TEST(every_line_of_every_thread_is_written_whole_and_in_order_by_stop)
{
	int fd = temp_fd();
	uint64_t dropped = logbuf_dropped();
	CHECK_INT(logbuf_start(fd), 0);
	pthread_t th[THREADS];
	for (int t = 0; t < THREADS; t++)
		pthread_create(&th[t], NULL, put_lines, (void *)(intptr_t)t);
	for (int t = 0; t < THREADS; t++)
		pthread_join(th[t], NULL);
	logbuf_stop();   /* no flush first: the stop must write everything */
	size_t len;
	char *text = slurp(fd, &len);
	int next[THREADS];
	long lines = check_lines(text, THREADS, next);
	CHECK_INT(lines + (long)(logbuf_dropped() - dropped), THREADS * LINES_PER_THREAD);
	CHECK_INT(logbuf_dropped() - dropped, 0);
	free(text);
	close(fd);
}

TEST(a_line_is_written_by_the_writer_without_a_stop)
{
	int fd = temp_fd();
	CHECK_INT(logbuf_start(fd), 0);
	logbuf_put("{\"one\":1}", 9);
	/* The writer writes it on its own within LOGBUF_FLUSH_MS; wait
	 * for it (bounded) rather than for a time. */
	size_t len = 0;
	char *text = NULL;
	for (int i = 0; i < 400 && len < 10; i++) {
		free(text);
		usleep(5000);
		text = slurp(fd, &len);
	}
	CHECK_STR(text, "{\"one\":1}\n");
	free(text);
	logbuf_put("{\"two\":2}", 9);
	logbuf_flush();
	text = slurp(fd, &len);
	CHECK_STR(text, "{\"one\":1}\n{\"two\":2}\n");
	free(text);
	logbuf_stop();
	close(fd);
}

TEST(starts_are_counted_and_only_the_last_stop_ends_the_writer)
{
	int fd = temp_fd();
	CHECK_INT(logbuf_start(fd), 0);
	CHECK_INT(logbuf_start(fd), 0);
	logbuf_stop();
	logbuf_put("{\"a\":1}", 7);
	logbuf_stop();
	/* The stop wrote it; and with no writer a line goes out at once. */
	logbuf_put("{\"b\":2}", 7);
	size_t len;
	char *text = slurp(fd, &len);
	CHECK_STR(text, "{\"a\":1}\n{\"b\":2}\n");
	free(text);
	close(fd);
}

TEST(a_line_longer_than_half_a_ring_is_written_whole)
{
	int fd = temp_fd();
	size_t n = LOGBUF_RING_BYTES / 2 + 100;
	char *big = malloc(n);
	memset(big, 'x', n);
	CHECK_INT(logbuf_start(fd), 0);
	logbuf_put("{\"before\":1}", 12);
	logbuf_put(big, n);
	logbuf_stop();
	size_t len;
	char *text = slurp(fd, &len);
	CHECK_INT(len, 13 + n + 1);
	CHECK(strstr(text, "{\"before\":1}\n") != NULL);
	CHECK(len > n && text[len - 1] == '\n');
	free(text);
	free(big);
	close(fd);
}

struct reader {
	int fd;
	size_t len, cap;
	char *text;
};

static void *read_all(void *arg)
{
	struct reader *r = arg;
	for (;;) {
		if (r->cap - r->len < 65536) {
			r->cap = r->cap * 2 + 65536;
			r->text = realloc(r->text, r->cap + 1);
		}
		ssize_t n = read(r->fd, r->text + r->len, r->cap - r->len);
		if (n <= 0)
			break;
		r->len += (size_t)n;
	}
	r->text[r->len] = '\0';
	return NULL;
}

TEST(a_full_ring_drops_and_counts_lines_instead_of_waiting)
{
	int p[2];
	CHECK_INT(pipe(p), 0);
	uint64_t dropped = logbuf_dropped();
	CHECK_INT(logbuf_start(p[1]), 0);
	/* Nobody reads the pipe yet: once it and the ring are full, puts
	 * return having dropped their line. */
	char line[512];
	int put = 0;
	while (logbuf_dropped() == dropped && put < 2000000)
		logbuf_put(line, make_line(line, sizeof line, 0, put++));
	CHECK(logbuf_dropped() > dropped);
	for (int k = 0; k < 100; k++)
		logbuf_put(line, make_line(line, sizeof line, 0, put++));
	/* Now read: the writer catches up, and the stop writes the rest. */
	struct reader r = { .fd = p[0] };
	pthread_t th;
	pthread_create(&th, NULL, read_all, &r);
	logbuf_stop();
	close(p[1]);
	pthread_join(th, NULL);
	int next[1];
	long lines = check_lines(r.text, 1, next);
	CHECK(lines > 0);
	CHECK_INT(lines + (long)(logbuf_dropped() - dropped), put);
	free(r.text);
	close(p[0]);
}

static void *put_one(void *arg)
{
	logbuf_put(arg, strlen(arg));
	return NULL;
}

TEST(threads_that_come_and_go_lose_no_lines)
{
	int fd = temp_fd();
	CHECK_INT(logbuf_start(fd), 0);
	char lines[40][24];
	for (int i = 0; i < 40; i++) {
		snprintf(lines[i], sizeof lines[i], "{\"n\":%d}", i);
		pthread_t th;
		pthread_create(&th, NULL, put_one, lines[i]);
		pthread_join(th, NULL);
	}
	logbuf_stop();
	size_t len;
	char *text = slurp(fd, &len);
	int seen = 0;
	for (int i = 0; i < 40; i++) {
		char want[24];
		snprintf(want, sizeof want, "{\"n\":%d}\n", i);
		seen += strstr(text, want) != NULL;
	}
	CHECK_INT(seen, 40);
	free(text);
	close(fd);
}

CHECK_MAIN()
