/* ZeroMQ and HMAC-SHA256 through dlopen (see include/CJupyterWire.h). */
#include "CJupyterWire.h"
#include <dlfcn.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

_Static_assert(JW_PUB == ZMQ_PUB && JW_REP == ZMQ_REP && JW_ROUTER == ZMQ_ROUTER && JW_POLLIN == ZMQ_POLLIN,
               "jw constants differ from zmq.h");
_Static_assert(sizeof(jw_message) >= sizeof(zmq_msg_t), "jw_message too small for zmq_msg_t");

#define JW_FUNCTIONS(X) \
    X(zmq, zmq_ctx_new) X(zmq, zmq_ctx_term) X(zmq, zmq_socket) X(zmq, zmq_bind) X(zmq, zmq_close) \
    X(zmq, zmq_setsockopt) X(zmq, zmq_send) X(zmq, zmq_msg_init) X(zmq, zmq_msg_recv) X(zmq, zmq_msg_data) \
    X(zmq, zmq_msg_size) X(zmq, zmq_msg_more) X(zmq, zmq_msg_close) X(zmq, zmq_poll) X(zmq, zmq_errno) \
    X(zmq, zmq_strerror) X(crypto, HMAC) X(crypto, EVP_sha256)

#define JW_POINTER(library, name) static __typeof__(name) *p_##name;
JW_FUNCTIONS(JW_POINTER)

static const char *zmq_names[] = {"libzmq.so.5", "libzmq.so", "libzmq.5.dylib", "libzmq.dylib", NULL};
static const char *crypto_names[] = {"libcrypto.so.3", "libcrypto.so", "libcrypto.3.dylib", "libcrypto.dylib", NULL};

static void *open_first(const char **names) {
    for (int i = 0; names[i]; i++) {
        void *handle = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
        if (handle) return handle;
    }
    return NULL;
}

int jw_open(char *error, size_t error_size) {
    static int opened = 0;
    if (opened) return 0;
    void *zmq = open_first(zmq_names);
    if (!zmq) {
        snprintf(error, error_size, "cannot load libzmq (%s); install libzmq5 (scripts/install-deps does)", dlerror());
        return -1;
    }
    void *crypto = open_first(crypto_names);
    if (!crypto) {
        snprintf(error, error_size, "cannot load libcrypto (%s); install libssl3 (scripts/install-deps does)", dlerror());
        return -1;
    }
#define JW_LOOKUP(library, name) \
    p_##name = (__typeof__(name) *)dlsym(library, #name); \
    if (!p_##name) { snprintf(error, error_size, "%s has no %s", #library, #name); return -1; }
    JW_FUNCTIONS(JW_LOOKUP)
    opened = 1;
    return 0;
}

void *jw_context_new(void) { return p_zmq_ctx_new(); }
void jw_context_term(void *context) { p_zmq_ctx_term(context); }
void *jw_socket(void *context, int type) { return p_zmq_socket(context, type); }
int jw_bind(void *socket, const char *endpoint) { return p_zmq_bind(socket, endpoint); }

void jw_close(void *socket) {
    int linger = 0;  /* unsent messages are dropped when the kernel leaves */
    p_zmq_setsockopt(socket, ZMQ_LINGER, &linger, sizeof linger);
    p_zmq_close(socket);
}

int jw_send(void *socket, const void *data, size_t size, int more) {
    for (;;) {
        int n = p_zmq_send(socket, data, size, more ? ZMQ_SNDMORE : 0);
        if (n >= 0) return 0;
        if (p_zmq_errno() != EINTR) return -1;
    }
}

long jw_receive(void *socket, jw_message *message) {
    zmq_msg_t *m = (zmq_msg_t *)message->opaque;
    p_zmq_msg_init(m);
    for (;;) {
        int n = p_zmq_msg_recv(m, socket, 0);
        if (n >= 0) return n;
        if (p_zmq_errno() != EINTR) { p_zmq_msg_close(m); return -1; }
    }
}

const void *jw_message_data(jw_message *message) { return p_zmq_msg_data((zmq_msg_t *)message->opaque); }
int jw_message_more(jw_message *message) { return p_zmq_msg_more((zmq_msg_t *)message->opaque); }
void jw_message_close(jw_message *message) { p_zmq_msg_close((zmq_msg_t *)message->opaque); }

int jw_poll(jw_poll_item *items, int count, long timeout_ms) {
    zmq_pollitem_t z[16];
    if (count < 0 || count > 16) return -1;
    for (int i = 0; i < count; i++) {
        z[i].socket = items[i].socket;
        z[i].fd = items[i].fd;
        z[i].events = items[i].events;
        z[i].revents = 0;
    }
    int n = p_zmq_poll(z, count, timeout_ms);
    for (int i = 0; i < count; i++) items[i].revents = n > 0 ? z[i].revents : 0;
    return n;
}

const char *jw_error(void) { return p_zmq_strerror ? p_zmq_strerror(p_zmq_errno()) : "libzmq not loaded"; }

int jw_hmac_sha256(const void *key, size_t key_size, const void *data, size_t size, unsigned char out[32]) {
    unsigned int length = 32;
    if (key_size > 0x7fffffff) return -1;
    return p_HMAC(p_EVP_sha256(), key, (int)key_size, data, size, out, &length) && length == 32 ? 0 : -1;
}
