/* test_http_stream.c — the HTTP server's streamed responses (chunked,
 * parked and woken, ended by a departing client or by shutdown) and
 * request bodies taken by a sink as they arrive, over real sockets. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "check.h"
#include "http/server.h"

/* ---- One stream the tests drive: `total` blocks of "x", or parked
 * between blocks until woken. ---- */
struct fake {
	int total;          /* blocks to send; -1: open-ended */
	int sent;
	atomic_int ready;   /* blocks a waker has made available (parking mode) */
	int park;           /* wait for `ready` between blocks */
	struct http_stream *h;
	atomic_int done_calls;
	atomic_int completed;
	atomic_int parked_reads;
};

static struct fake *cur;
static pthread_mutex_t cur_lock = PTHREAD_MUTEX_INITIALIZER;

static long fake_read(void *cls, struct http_stream *h, char *out, size_t max)
{
	struct fake *f = cls;
	pthread_mutex_lock(&cur_lock);
	f->h = h;
	pthread_mutex_unlock(&cur_lock);
	if (f->total >= 0 && f->sent >= f->total)
		return RESP_STREAM_END;
	if (f->park && f->sent >= atomic_load(&f->ready)) {
		atomic_fetch_add(&f->parked_reads, 1);
		return RESP_STREAM_WAIT;
	}
	size_t n = max < 100 ? max : 100;
	memset(out, 'x', n);
	f->sent++;
	return (long)n;
}

static void fake_done(void *cls, int completed)
{
	struct fake *f = cls;
	pthread_mutex_lock(&cur_lock);
	f->h = NULL;
	pthread_mutex_unlock(&cur_lock);
	atomic_store(&f->completed, completed);
	atomic_fetch_add(&f->done_calls, 1);
}

static const struct resp_stream_ops fake_ops = { fake_read, fake_done };

/* ---- A sink that counts what it is given. ---- */
static atomic_size_t sunk;

static int count_sink(void *cls, const char *data, size_t n)
{
	(void)cls;
	(void)data;
	atomic_fetch_add(&sunk, n);
	return 0;
}

static void prepare(struct req *r)
{
	if (strcmp(r->path, "/sink") == 0) {
		r->body_cap = 1 << 20;
		r->sink.write = count_sink;
	}
}

static void dispatch(struct req *r)
{
	if (strcmp(r->path, "/sink") == 0) {
		char hex[65];
		static const char digits[] = "0123456789abcdef";
		for (int i = 0; i < 32; i++) {
			hex[2 * i] = digits[r->body_sha256[i] >> 4];
			hex[2 * i + 1] = digits[r->body_sha256[i] & 15];
		}
		hex[64] = 0;
		buf_printf(&r->resp.body, "%d %zu %s", r->body_hashed, r->body.len, hex);
		r->resp.status = 200;
		r->resp.content_type = "text/plain";
		return;
	}
	if (strcmp(r->path, "/refused") == 0) {
		resp_stream(r, 200, "text/plain", &fake_ops, cur);
		req_fail(r, 403, "forbidden", "no");
		return;
	}
	resp_stream(r, 200, "text/plain", &fake_ops, cur);
}

static struct http_server *start(void)
{
	struct http_config cfg = {
		.host = "127.0.0.1", .port = 0, .threads = 2, .body_limit = 1 << 16,
		.timeout_s = 30, .prepare = prepare,
	};
	char err[128];
	return http_server_start(&cfg, dispatch, NULL, err, sizeof err);
}

static int dial(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	struct timeval tv = { 5, 0 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void send_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

/* Read until `needle` has been seen or the peer closes; returns bytes read. */
static size_t read_until(int fd, char *buf, size_t cap, const char *needle)
{
	size_t len = 0;
	while (len + 1 < cap) {
		ssize_t n = read(fd, buf + len, cap - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = 0;
		if (needle && strstr(buf, needle))
			break;
	}
	buf[len] = 0;
	return len;
}

/* The x's of the body (after the head). */
static int count_x(const char *s)
{
	int n = 0;
	const char *body = strstr(s, "\r\n\r\n");
	for (s = body ? body : s; *s; s++)
		n += *s == 'x';
	return n;
}

static void wait_for(atomic_int *v, int want)
{
	for (int i = 0; i < 500 && atomic_load(v) < want; i++)
		usleep(10000);
}

static void wake(struct fake *f)
{
	pthread_mutex_lock(&cur_lock);
	if (f->h)
		http_stream_wake(f->h);
	pthread_mutex_unlock(&cur_lock);
}

TEST(a_stream_is_sent_chunked_to_its_end_then_done_completed)
{
	static struct fake f = { .total = 50 };
	cur = &f;
	struct http_server *s = start();
	CHECK(s != NULL);
	int fd = dial(http_server_port(s));
	const char *rq = "GET /s HTTP/1.1\r\nHost: x\r\n\r\n";
	send_all(fd, rq, strlen(rq));
	static char buf[65536];
	read_until(fd, buf, sizeof buf, "\r\n0\r\n\r\n");
	CHECK(strstr(buf, "Transfer-Encoding: chunked") != NULL);
	CHECK_INT(count_x(buf), 50 * 100);
	close(fd);
	wait_for(&f.done_calls, 1);
	CHECK_INT(atomic_load(&f.done_calls), 1);
	CHECK_INT(atomic_load(&f.completed), 1);
	http_server_stop(s, 1);
}

TEST(a_parked_stream_holds_no_worker_and_resumes_when_woken)
{
	static struct fake f = { .total = 3, .park = 1 };
	cur = &f;
	struct http_server *s = start();
	int port = http_server_port(s);
	/* Three parked streams on a two-thread server: were each to hold a
	 * worker, the fourth request below could not be answered. */
	static struct fake g[3];
	int fds[3];
	for (int i = 0; i < 3; i++) {
		g[i] = (struct fake){ .total = -1, .park = 1 };
		cur = &g[i];
		fds[i] = dial(port);
		send_all(fds[i], "GET /s HTTP/1.1\r\nHost: x\r\n\r\n", 28);
		wait_for(&g[i].parked_reads, 1);
	}
	cur = &f;
	int fd = dial(port);
	send_all(fd, "GET /s HTTP/1.1\r\nHost: x\r\n\r\n", 28);
	wait_for(&f.parked_reads, 1);
	CHECK_INT(atomic_load(&f.parked_reads), 1);
	static char buf[8192];
	for (int i = 1; i <= 3; i++) {
		atomic_store(&f.ready, i);
		wake(&f);
		usleep(20000);
	}
	read_until(fd, buf, sizeof buf, "\r\n0\r\n\r\n");
	CHECK_INT(count_x(buf), 300);
	CHECK(strstr(buf, "\r\n0\r\n\r\n") != NULL);
	close(fd);
	wait_for(&f.done_calls, 1);
	CHECK_INT(atomic_load(&f.completed), 1);
	/* Shutdown ends the parked ones, each told it did not complete. */
	http_server_stop(s, 2);
	for (int i = 0; i < 3; i++) {
		CHECK_INT(atomic_load(&g[i].done_calls), 1);
		CHECK_INT(atomic_load(&g[i].completed), 0);
		close(fds[i]);
	}
}

TEST(a_client_that_leaves_ends_the_stream_uncompleted)
{
	static struct fake f = { .total = -1 };
	cur = &f;
	struct http_server *s = start();
	int fd = dial(http_server_port(s));
	send_all(fd, "GET /s HTTP/1.1\r\nHost: x\r\n\r\n", 28);
	static char buf[4096];
	read_until(fd, buf, sizeof buf, "xxxx");
	close(fd);
	wait_for(&f.done_calls, 1);
	CHECK_INT(atomic_load(&f.done_calls), 1);
	CHECK_INT(atomic_load(&f.completed), 0);
	http_server_stop(s, 1);
}

TEST(a_problem_after_resp_stream_wins_and_the_stream_is_told)
{
	static struct fake f = { .total = 5 };
	cur = &f;
	struct http_server *s = start();
	int fd = dial(http_server_port(s));
	send_all(fd, "GET /refused HTTP/1.1\r\nHost: x\r\n\r\n", 34);
	static char buf[4096];
	read_until(fd, buf, sizeof buf, "}");
	CHECK(strncmp(buf, "HTTP/1.1 403", 12) == 0);
	CHECK_INT(count_x(buf), 0);
	CHECK_INT(atomic_load(&f.done_calls), 1);
	CHECK_INT(atomic_load(&f.completed), 0);
	close(fd);
	http_server_stop(s, 1);
}

TEST(a_sink_takes_a_chunked_body_as_it_arrives_and_it_is_hashed)
{
	struct http_server *s = start();
	atomic_store(&sunk, 0);
	int fd = dial(http_server_port(s));
	const char *head = "POST /sink HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
	send_all(fd, head, strlen(head));
	/* 200 KiB: over the server's buffered-body limit, within the sink's. */
	static char chunk[1024];
	memset(chunk, 'a', sizeof chunk);
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	for (int i = 0; i < 200; i++) {
		send_all(fd, "400\r\n", 5);
		send_all(fd, chunk, sizeof chunk);
		send_all(fd, "\r\n", 2);
		crypto_hash_sha256_update(&st, (const unsigned char *)chunk, sizeof chunk);
	}
	send_all(fd, "0\r\n\r\n", 5);
	unsigned char want[32];
	crypto_hash_sha256_final(&st, want);
	char hex[65];
	static const char digits[] = "0123456789abcdef";
	for (int i = 0; i < 32; i++) {
		hex[2 * i] = digits[want[i] >> 4];
		hex[2 * i + 1] = digits[want[i] & 15];
	}
	hex[64] = 0;
	static char buf[4096];
	read_until(fd, buf, sizeof buf, hex);
	CHECK(strncmp(buf, "HTTP/1.1 200", 12) == 0);
	char expect[128];
	snprintf(expect, sizeof expect, "1 0 %s", hex);   /* hashed, nothing buffered */
	CHECK(strstr(buf, expect) != NULL);
	CHECK_INT(atomic_load(&sunk), 200 * 1024);
	close(fd);
	http_server_stop(s, 1);
}

CHECK_MAIN()
