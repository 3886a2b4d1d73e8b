#ifndef DSCRIPT_CJUPYTERWIRE_H
#define DSCRIPT_CJUPYTERWIRE_H
/* The wire of Jupyter's messaging protocol: ZeroMQ sockets (libzmq) and HMAC-SHA256 signatures
 * (OpenSSL's libcrypto). Both libraries are opened with dlopen by jw_open(), so only the kernel
 * (`dscript --kernel`) loads them: linking them would cost every `dscript` start about 3 ms (17 more
 * shared libraries). The function types are checked against zmq.h and openssl/hmac.h at build time.
 * zmq.h stays out of this header, so Swift reaches ZeroMQ only through jw_* functions. */
#include <stddef.h>

/* Socket types and poll flags, with ZeroMQ's values (checked against zmq.h in the .c file). */
enum { JW_PUB = 1, JW_REP = 4, JW_ROUTER = 6, JW_POLLIN = 1 };

/* Opens libzmq and libcrypto; 0 on success, else -1 with a message in `error`. */
int jw_open(char *error, size_t error_size);

void *jw_context_new(void);
void jw_context_term(void *context);
void *jw_socket(void *context, int type);
/* Binds `endpoint` (`tcp://127.0.0.1:5555`); 0 or -1. */
int jw_bind(void *socket, const char *endpoint);
void jw_close(void *socket);
/* Sends one frame; `more` nonzero when frames follow. 0 or -1. */
int jw_send(void *socket, const void *data, size_t size, int more);

/* One received frame; the buffer belongs to ZeroMQ until jw_message_close. */
typedef struct { unsigned char opaque[64]; } jw_message;
/* Receives one frame (blocking); its size, or -1. */
long jw_receive(void *socket, jw_message *message);
const void *jw_message_data(jw_message *message);
int jw_message_more(jw_message *message);
void jw_message_close(jw_message *message);

/* zmq_poll over sockets and plain descriptors (socket NULL: `fd` is polled). */
typedef struct { void *socket; int fd; short events; short revents; } jw_poll_item;
int jw_poll(jw_poll_item *items, int count, long timeout_ms);

/* The text of the last ZeroMQ error. */
const char *jw_error(void);

/* HMAC-SHA256 of `data` under `key` into out[32]; 0 or -1. */
int jw_hmac_sha256(const void *key, size_t key_size, const void *data, size_t size, unsigned char out[32]);

#endif
