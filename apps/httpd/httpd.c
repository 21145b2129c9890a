/*
 * bootgate-httpd: the smallest HTTP/1.0 server that proves a guest is serving.
 *
 * POSIX only, so the same file builds with the host gcc (tests) and with a unikernel
 * cross compiler such as x86_64-rumprun-netbsd-gcc.
 *
 * Usage: httpd [port]   (default 80). Prints "bootgate-httpd: ready" right before the
 * first accept(): that line is the ready marker bootgate times on the serial console.
 */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#define REQUEST_CAP 4096

static const char page[] =
    "<!doctype html><title>bootgate</title><p>bootgate-httpd is serving.</p>\n";

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads until the blank line that ends the headers, EOF, or the cap; returns bytes read. */
static size_t read_request(int fd, char *buf, size_t cap)
{
	size_t used = 0;
	while (used < cap - 1) {
		ssize_t n = read(fd, buf + used, cap - 1 - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		used += (size_t)n;
		buf[used] = '\0';
		if (strstr(buf, "\r\n\r\n") != NULL)
			break;
	}
	buf[used] = '\0';
	return used;
}

static void serve(int fd)
{
	char req[REQUEST_CAP];
	char head[256];
	int head_len;

	if (read_request(fd, req, sizeof(req)) == 0)
		return;
	if (strncmp(req, "GET ", 4) == 0) {
		head_len = snprintf(head, sizeof(head),
		    "HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n"
		    "Content-Length: %u\r\nConnection: close\r\n\r\n",
		    (unsigned)(sizeof(page) - 1));
		if (write_all(fd, head, (size_t)head_len) == 0)
			write_all(fd, page, sizeof(page) - 1);
	} else {
		static const char not_allowed[] =
		    "HTTP/1.0 405 Method Not Allowed\r\nAllow: GET\r\n"
		    "Content-Length: 0\r\nConnection: close\r\n\r\n";
		write_all(fd, not_allowed, sizeof(not_allowed) - 1);
	}
}

int main(int argc, char *argv[])
{
	struct sockaddr_in addr;
	long port = 80;
	int one = 1;
	int lfd;

	if (argc > 1) {
		char *end;
		port = strtol(argv[1], &end, 10);
		if (*argv[1] == '\0' || *end != '\0' || port < 1 || port > 65535) {
			fprintf(stderr, "bootgate-httpd: expected a port 1-65535, got \"%s\"\n", argv[1]);
			return 2;
		}
	}

	/* A client that hangs up early must not kill the server with SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0)
		die("bootgate-httpd: socket");
	if (setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		die("bootgate-httpd: setsockopt SO_REUSEADDR");
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_ANY);
	addr.sin_port = htons((unsigned short)port);
	if (bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		die("bootgate-httpd: bind");
	if (listen(lfd, 16) < 0)
		die("bootgate-httpd: listen");

	printf("bootgate-httpd: ready\n");
	fflush(stdout);

	for (;;) {
		int cfd = accept(lfd, NULL, NULL);
		if (cfd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			die("bootgate-httpd: accept");
		}
		serve(cfd);
		close(cfd);
	}
}
