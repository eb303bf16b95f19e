/*
 * RTP load generator for scripts/bench-media.sh (issue 20, issue 16): one process, real UDP on loopback.
 *
 * Every participant has its own socket (127.0.0.1:local_port) and sends one 20 ms audio packet every 20 ms
 * (50 packets/s) to the conference server's port for it (127.0.0.1:server_port), and reads whatever the server
 * sends back (the mix). Participants are spread over ten 2 ms slots of the 20 ms period, as real phones are not
 * synchronised. The first T participants "talk" (speech-level noise); the others send silence.
 *
 * PCMU frames are G.711 mu-law of the noise; Opus frames are encoded once at start-up with the system libopus
 * (libopus.so.0, loaded through dlopen so no -dev package is needed) and replayed.
 *
 * With --levels every packet carries the sender's audio level (RFC 6464, one-byte header extension of RFC 8285 with
 * id 1) as browsers send it: talkers -20 dBov with the voice bit, silent participants -127 dBov.
 *
 * While running it measures the server: CPU time (utime+stime of /proc/PID/stat) and context switches (summed over
 * /proc/PID/task/STAR/status) between the end of the warm-up and the end of the run, and prints one line
 * "result ..." that the script parses.
 *
 *   rtpgen --ports FILE --codec pcmu|opus --talkers T --warmup S --seconds S --pid SERVER_PID [--pt N] [--levels 1]
 *
 * FILE holds one line per participant: "<local_port> <server_port>".
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define MAX_PARTICIPANTS 4096
#define FRAMES 50
#define SLOTS 10
#define MAX_FRAME 400
/* The extension block: profile 0xBEDE, one 32-bit word of elements: id 1 with one data byte, two bytes of padding. */
#define LEVEL_BLOCK 8
#define AUDIO_LEVEL_ID 1
#define TALKER_LEVEL (0x80 | 20)
#define SILENT_LEVEL 127

struct participant {
    int fd;
    struct sockaddr_in server;
    uint16_t sequence;
    uint32_t timestamp;
    uint32_t ssrc;
    long sent;
    long received;
    long received_in_window;
};

static struct participant participants[MAX_PARTICIPANTS];
static unsigned char speech[FRAMES][MAX_FRAME];
static int speech_length[FRAMES];
static unsigned char silence[MAX_FRAME];
static int silence_length;

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned char mulaw(int sample) {
    const int bias = 0x84, clip = 32635;
    int sign = (sample >> 8) & 0x80;
    if (sign) sample = -sample;
    if (sample > clip) sample = clip;
    sample += bias;
    int exponent = 7;
    for (int mask = 0x4000; (sample & mask) == 0 && exponent > 0; exponent--, mask >>= 1) {}
    int mantissa = (sample >> (exponent + 3)) & 0x0F;
    return (unsigned char)~(sign | (exponent << 4) | mantissa);
}

/* Speech-level noise: a 300 Hz tone plus noise, about -20 dBFS, different per frame. */
static void make_noise(short *pcm, int samples, int rate, int frame) {
    for (int i = 0; i < samples; i++) {
        double t = (double)(frame * samples + i) / rate;
        double tone = 2500.0 * sin(2 * M_PI * 300.0 * t);
        double noise = ((rand() % 2001) - 1000) * 1.5;
        pcm[i] = (short)(tone + noise);
    }
}

static void make_pcmu_frames(void) {
    short pcm[160];
    for (int f = 0; f < FRAMES; f++) {
        make_noise(pcm, 160, 8000, f);
        for (int i = 0; i < 160; i++) speech[f][i] = mulaw(pcm[i]);
        speech_length[f] = 160;
    }
    memset(silence, 0xFF, 160);
    silence_length = 160;
}

typedef void *(*opus_encoder_create_t)(int, int, int, int *);
typedef int (*opus_encode_t)(void *, const short *, int, unsigned char *, int);
typedef int (*opus_encoder_ctl_t)(void *, int, ...);

static void make_opus_frames(void) {
    void *library = dlopen("libopus.so.0", RTLD_NOW);
    if (!library) { fprintf(stderr, "rtpgen: cannot load libopus.so.0 (apt-get install libopus0): %s\n", dlerror()); exit(1); }
    opus_encoder_create_t create = (opus_encoder_create_t)dlsym(library, "opus_encoder_create");
    opus_encode_t encode = (opus_encode_t)dlsym(library, "opus_encode");
    opus_encoder_ctl_t ctl = (opus_encoder_ctl_t)dlsym(library, "opus_encoder_ctl");
    int error = 0;
    void *encoder = create(48000, 1, 2048 /* OPUS_APPLICATION_VOIP */, &error);
    if (!encoder || error) { fprintf(stderr, "rtpgen: opus_encoder_create failed (%d)\n", error); exit(1); }
    ctl(encoder, 4002 /* OPUS_SET_BITRATE */, 32000);
    ctl(encoder, 4012 /* OPUS_SET_INBAND_FEC */, 1);
    short pcm[960];
    for (int f = 0; f < FRAMES; f++) {
        make_noise(pcm, 960, 48000, f);
        speech_length[f] = encode(encoder, pcm, 960, speech[f], MAX_FRAME);
        if (speech_length[f] <= 0) { fprintf(stderr, "rtpgen: opus_encode failed\n"); exit(1); }
    }
    memset(pcm, 0, sizeof pcm);
    for (int f = 0; f < 5; f++) silence_length = encode(encoder, pcm, 960, silence, MAX_FRAME);
    if (silence_length <= 0) { fprintf(stderr, "rtpgen: opus_encode failed\n"); exit(1); }
}

/* utime + stime in clock ticks, and voluntary + involuntary context switches over all threads. */
static void sample_server(int pid, long long *ticks, long long *switches) {
    char path[64], buffer[4096];
    *ticks = -1;
    *switches = 0;
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *file = fopen(path, "r");
    if (file) {
        if (fgets(buffer, sizeof buffer, file)) {
            char *after = strrchr(buffer, ')');
            unsigned long long utime = 0, stime = 0;
            /* Fields after the command: state(3) ... utime(14) stime(15). */
            if (after && sscanf(after + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) == 2)
                *ticks = (long long)(utime + stime);
        }
        fclose(file);
    }
    snprintf(path, sizeof path, "/proc/%d/task", pid);
    DIR *tasks = opendir(path);
    if (!tasks) return;
    struct dirent *entry;
    while ((entry = readdir(tasks)) != NULL) {
        if (entry->d_name[0] == '.') continue;
        char status[320];
        snprintf(status, sizeof status, "/proc/%d/task/%s/status", pid, entry->d_name);
        FILE *f = fopen(status, "r");
        if (!f) continue;
        while (fgets(buffer, sizeof buffer, f)) {
            long long value;
            if (sscanf(buffer, "voluntary_ctxt_switches: %lld", &value) == 1 ||
                sscanf(buffer, "nonvoluntary_ctxt_switches: %lld", &value) == 1)
                *switches += value;
        }
        fclose(f);
    }
    closedir(tasks);
}

static double own_cpu_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void usage(void) {
    fprintf(stderr, "usage: rtpgen --ports FILE --codec pcmu|opus --talkers T --warmup S --seconds S --pid PID [--pt N] [--levels 1]\n");
    exit(2);
}

int main(int argc, char **argv) {
    const char *ports_file = NULL, *codec = "pcmu";
    int talkers = -1, pid = 0, payload_type = -1, levels = 0;
    double warmup = 5, seconds = 20;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--ports")) ports_file = argv[i + 1];
        else if (!strcmp(argv[i], "--codec")) codec = argv[i + 1];
        else if (!strcmp(argv[i], "--talkers")) talkers = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--warmup")) warmup = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--seconds")) seconds = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--pid")) pid = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--pt")) payload_type = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--levels")) levels = atoi(argv[i + 1]);
        else usage();
    }
    if (!ports_file || pid <= 0) usage();
    int opus = !strcmp(codec, "opus");
    if (!opus && strcmp(codec, "pcmu")) usage();
    if (payload_type < 0) payload_type = opus ? 111 : 0;
    int samples_per_packet = opus ? 960 : 160;
    srand(20);
    if (opus) make_opus_frames(); else make_pcmu_frames();

    FILE *file = fopen(ports_file, "r");
    if (!file) { perror(ports_file); return 1; }
    int count = 0, local_port, server_port;
    int epoll = epoll_create1(0);
    /* The send slots are paced by a timerfd in the epoll set: precise wake-ups without spinning. */
    int timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    struct epoll_event timer_event = {.events = EPOLLIN, .data.u32 = UINT32_MAX};
    epoll_ctl(epoll, EPOLL_CTL_ADD, timer, &timer_event);
    while (count < MAX_PARTICIPANTS && fscanf(file, "%d %d", &local_port, &server_port) == 2) {
        struct participant *p = &participants[count];
        p->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
        int size = 1 << 20;
        setsockopt(p->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
        struct sockaddr_in local = {.sin_family = AF_INET, .sin_port = htons(local_port)};
        inet_pton(AF_INET, "127.0.0.1", &local.sin_addr);
        if (bind(p->fd, (struct sockaddr *)&local, sizeof local) != 0) {
            fprintf(stderr, "rtpgen: bind 127.0.0.1:%d: %s\n", local_port, strerror(errno));
            return 1;
        }
        p->server = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons(server_port)};
        inet_pton(AF_INET, "127.0.0.1", &p->server.sin_addr);
        p->sequence = (uint16_t)rand();
        p->timestamp = (uint32_t)rand();
        p->ssrc = (uint32_t)rand() * 2654435761u + (uint32_t)count;
        struct epoll_event event = {.events = EPOLLIN, .data.u32 = (uint32_t)count};
        epoll_ctl(epoll, EPOLL_CTL_ADD, p->fd, &event);
        count++;
    }
    fclose(file);
    if (count == 0) { fprintf(stderr, "rtpgen: no participants in %s\n", ports_file); return 1; }
    if (talkers < 0 || talkers > count) talkers = count;

    long long ticks_start = 0, ticks_end = 0, switches_start = 0, switches_end = 0;
    double own_start = 0, window_start = 0;
    int measuring = 0;
    double start = now_seconds();
    double end = start + warmup + seconds;
    double next_slot = start;
    long slot = 0;
    long send_errors = 0;
    unsigned char packet[12 + LEVEL_BLOCK + MAX_FRAME], receive_buffer[2048];
    struct epoll_event events[256];
    for (;;) {
        double now = now_seconds();
        if (!measuring && now >= start + warmup) {
            sample_server(pid, &ticks_start, &switches_start);
            own_start = own_cpu_seconds();
            window_start = now;
            for (int i = 0; i < count; i++) participants[i].received_in_window = 0;
            measuring = 1;
        }
        if (now >= end) break;
        while (now >= next_slot) {
            int frame = (int)((slot / SLOTS) % FRAMES);
            for (int i = (int)(slot % SLOTS); i < count; i += SLOTS) {
                struct participant *p = &participants[i];
                const unsigned char *payload = i < talkers ? speech[frame] : silence;
                int length = i < talkers ? speech_length[frame] : silence_length;
                packet[0] = levels ? 0x90 : 0x80; /* version 2, and the X bit when a level follows the header */
                packet[1] = (unsigned char)payload_type;
                packet[2] = p->sequence >> 8; packet[3] = p->sequence & 0xFF;
                packet[4] = p->timestamp >> 24; packet[5] = p->timestamp >> 16; packet[6] = p->timestamp >> 8; packet[7] = p->timestamp;
                packet[8] = p->ssrc >> 24; packet[9] = p->ssrc >> 16; packet[10] = p->ssrc >> 8; packet[11] = p->ssrc;
                int header = 12;
                if (levels) {
                    const unsigned char block[LEVEL_BLOCK] = {0xBE, 0xDE, 0x00, 0x01, AUDIO_LEVEL_ID << 4,
                                                              i < talkers ? TALKER_LEVEL : SILENT_LEVEL, 0, 0};
                    memcpy(packet + header, block, LEVEL_BLOCK);
                    header += LEVEL_BLOCK;
                }
                memcpy(packet + header, payload, length);
                if (sendto(p->fd, packet, header + length, 0, (struct sockaddr *)&p->server, sizeof p->server) < 0) send_errors++;
                else p->sent++;
                p->sequence++;
                p->timestamp += samples_per_packet;
            }
            slot++;
            next_slot = start + slot * (0.020 / SLOTS);
        }
        struct itimerspec when = {0};
        when.it_value.tv_sec = (time_t)next_slot;
        when.it_value.tv_nsec = (long)((next_slot - (double)(time_t)next_slot) * 1e9);
        timerfd_settime(timer, TFD_TIMER_ABSTIME, &when, NULL);
        int ready = epoll_wait(epoll, events, 256, -1);
        for (int e = 0; e < ready; e++) {
            if (events[e].data.u32 == UINT32_MAX) {
                uint64_t expirations;
                if (read(timer, &expirations, sizeof expirations) < 0) { /* already drained */ }
                continue;
            }
            struct participant *p = &participants[events[e].data.u32];
            while (recv(p->fd, receive_buffer, sizeof receive_buffer, MSG_DONTWAIT) > 0) {
                p->received++;
                p->received_in_window++;
            }
        }
    }
    sample_server(pid, &ticks_end, &switches_end);
    double window = now_seconds() - window_start;
    double own = own_cpu_seconds() - own_start;
    long hz = sysconf(_SC_CLK_TCK);
    double server_cpu = ticks_start < 0 || ticks_end < 0 ? -1 : (double)(ticks_end - ticks_start) / hz / window;
    long total_sent = 0, total_received = 0, min_received = -1;
    for (int i = 0; i < count; i++) {
        total_sent += participants[i].sent;
        total_received += participants[i].received_in_window;
        if (min_received < 0 || participants[i].received_in_window < min_received) min_received = participants[i].received_in_window;
    }
    double expected = window * 50;
    printf("result participants=%d talkers=%d codec=%s levels=%d window_s=%.1f server_cpu_pct=%.1f cpu_per_participant_pct=%.3f "
           "ctxsw_per_s=%.0f generator_cpu_pct=%.1f sent=%ld send_errors=%ld received_per_participant_per_s=%.1f min_received_ratio=%.3f\n",
           count, talkers, codec, levels, window, server_cpu * 100, server_cpu * 100 / count,
           (switches_end - switches_start) / window, own / window * 100, total_sent, send_errors,
           (double)total_received / count / window, expected > 0 ? min_received / expected : 0);
    return 0;
}
