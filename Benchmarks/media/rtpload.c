/*
 * rtpload: RTP load for Benchmarks/media.sh. For every call in the table it sends 20 ms G.711
 * frames both ways through the server's relay (caller socket -> server caller-side port, callee
 * socket -> server callee-side port), staggered over the 20 ms period as independent phones
 * would be, and measures what comes out of the relay: packets lost, and the jitter the relay
 * adds. Each packet carries its send time (CLOCK_MONOTONIC) in its payload, so the one-way delay
 * of every packet is known; "added jitter" is the RFC 3550 A.8 estimator applied to those
 * delays (J += (|D| - J) / 16), which leaves out the sender's own timing.
 *
 * Table lines: CALLER_HOST CALLER_PORT SERVER_A_PORT CALLEE_HOST CALLEE_PORT SERVER_B_PORT
 * Usage: rtpload TABLE SECONDS SERVER_HOST
 * Output (one line): key=value pairs.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    int fd;
    struct sockaddr_in to;
    uint32_t ssrc;
    uint16_t seq;
    uint32_t ts;
    long sent;
    /* receive side (what arrives on this socket, sent by the other end) */
    long received;
    double jitter_ns;
    double last_delay;
    int have_last;
    double max_delay;
    double sum_delay;
} stream_t;

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + t.tv_nsec;
}

static int open_socket(const char *host, int port) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    if (fd < 0) { perror("socket"); exit(1); }
    int size = 1 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    inet_pton(AF_INET, host, &a.sin_addr);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) { fprintf(stderr, "bind %s:%d: %s\n", host, port, strerror(errno)); exit(1); }
    return fd;
}

static void send_frame(stream_t *s) {
    unsigned char p[12 + 160];
    p[0] = 0x80; p[1] = 0;
    p[2] = s->seq >> 8; p[3] = s->seq & 0xff;
    p[4] = s->ts >> 24; p[5] = s->ts >> 16; p[6] = s->ts >> 8; p[7] = s->ts;
    p[8] = s->ssrc >> 24; p[9] = s->ssrc >> 16; p[10] = s->ssrc >> 8; p[11] = s->ssrc;
    memset(p + 12, 0xff, 160);
    double t = now_ns();
    memcpy(p + 12, &t, sizeof t);
    if (sendto(s->fd, p, sizeof p, 0, (struct sockaddr *)&s->to, sizeof s->to) == (ssize_t)sizeof p) s->sent++;
    s->seq++;
    s->ts += 160;
}

static void receive_all(stream_t *s) {
    unsigned char p[2048];
    for (;;) {
        ssize_t n = recv(s->fd, p, sizeof p, 0);
        if (n < 0) return;
        if (n < 12 + (ssize_t)sizeof(double)) continue;
        double sent;
        memcpy(&sent, p + 12, sizeof sent);
        double delay = now_ns() - sent;
        s->received++;
        s->sum_delay += delay;
        if (delay > s->max_delay) s->max_delay = delay;
        if (s->have_last) s->jitter_ns += (fabs(delay - s->last_delay) - s->jitter_ns) / 16;
        s->last_delay = delay;
        s->have_last = 1;
    }
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: rtpload TABLE SECONDS SERVER_HOST\n"); return 2; }
    FILE *f = fopen(argv[1], "r");
    if (!f) { perror(argv[1]); return 1; }
    double seconds = atof(argv[2]);
    const char *server = argv[3];
    int capacity = 4096, n = 0;
    stream_t *streams = calloc(capacity * 2, sizeof *streams);
    char ch[64], eh[64];
    int cp, sa, ep, sb;
    while (fscanf(f, "%63s %d %d %63s %d %d", ch, &cp, &sa, eh, &ep, &sb) == 6 && n < capacity) {
        stream_t *a = &streams[2 * n], *b = &streams[2 * n + 1];
        a->fd = open_socket(ch, cp);
        b->fd = open_socket(eh, ep);
        a->to.sin_family = b->to.sin_family = AF_INET;
        inet_pton(AF_INET, server, &a->to.sin_addr);
        inet_pton(AF_INET, server, &b->to.sin_addr);
        a->to.sin_port = htons(sa);
        b->to.sin_port = htons(sb);
        a->ssrc = rand(); b->ssrc = rand();
        n++;
    }
    fclose(f);
    int ep_fd = epoll_create1(0);
    for (int i = 0; i < 2 * n; i++) {
        struct epoll_event e = {.events = EPOLLIN, .data.u32 = i};
        epoll_ctl(ep_fd, EPOLL_CTL_ADD, streams[i].fd, &e);
    }
    /* Every millisecond, the calls of that slot (call i sends at i mod 20 ms) send one frame each way. */
    double start = now_ns(), end = start + seconds * 1e9;
    long tick = 0;
    struct epoll_event events[256];
    while (1) {
        double due = start + tick * 1e6;
        double t = now_ns();
        if (t >= due) {
            if (due >= end) break;
            int slot = tick % 20;
            for (int i = slot; i < n; i += 20) {
                send_frame(&streams[2 * i]);
                send_frame(&streams[2 * i + 1]);
            }
            tick++;
            continue;
        }
        int wait_ms = (int)((due - t) / 1e6);
        int k = epoll_wait(ep_fd, events, 256, wait_ms);
        for (int j = 0; j < k; j++) receive_all(&streams[events[j].data.u32]);
    }
    /* Drain what is still in flight. */
    double drain_end = now_ns() + 300e6;
    while (now_ns() < drain_end) {
        int k = epoll_wait(ep_fd, events, 256, 20);
        for (int j = 0; j < k; j++) receive_all(&streams[events[j].data.u32]);
    }
    long sent = 0, received = 0;
    double jitter_sum = 0, jitter_max = 0, delay_sum = 0, delay_max = 0;
    for (int i = 0; i < n; i++) {
        /* what the caller sent arrives at the callee socket and the reverse */
        stream_t *a = &streams[2 * i], *b = &streams[2 * i + 1];
        sent += a->sent + b->sent;
        received += a->received + b->received;
        stream_t *r[2] = {a, b};
        for (int k = 0; k < 2; k++) {
            jitter_sum += r[k]->jitter_ns;
            if (r[k]->jitter_ns > jitter_max) jitter_max = r[k]->jitter_ns;
            delay_sum += r[k]->sum_delay;
            if (r[k]->max_delay > delay_max) delay_max = r[k]->max_delay;
        }
    }
    printf("calls=%d sent=%ld received=%ld loss_pct=%.4f jitter_mean_ms=%.3f jitter_max_ms=%.3f delay_mean_ms=%.3f delay_max_ms=%.3f\n",
           n, sent, received, sent ? 100.0 * (sent - received) / sent : 0, n ? jitter_sum / (2 * n) / 1e6 : 0, jitter_max / 1e6,
           received ? delay_sum / received / 1e6 : 0, delay_max / 1e6);
    return 0;
}
