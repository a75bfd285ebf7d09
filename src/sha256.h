/* Streaming SHA-256 for input provenance: the SHA extensions of x86-64 when the CPU has them
 * (about 6x libsodium's portable code, which would otherwise cost more than parsing), else
 * libsodium's crypto_hash_sha256. Both give the same digest. */
#ifndef CB_SHA256_H
#define CB_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

struct sha256 {
    bool hw;                         /* the SHA-extension path is used */
    uint32_t h[8];                   /* hw: the chaining state */
    uint64_t total;                  /* hw: bytes hashed so far */
    uint8_t block[64];               /* hw: a partial block */
    size_t fill;                     /* hw: bytes in block */
    crypto_hash_sha256_state sodium; /* !hw */
};

/* Starts a digest. `allow_hw` false forces the portable path (for tests). Never fails. */
void sha256_init(struct sha256 *s, bool allow_hw);
void sha256_update(struct sha256 *s, const void *data, size_t len);
/* Finishes the digest into hex (64 lowercase digits and a NUL). */
void sha256_final_hex(struct sha256 *s, char hex[65]);
/* True when this CPU has the SHA extensions. */
bool sha256_hw_available(void);

/* Starts libsodium, once per process, whichever thread asks first (pthread_once); every user of
 * libsodium (hashing, signatures, request-id hashes) calls this. False when it cannot start. */
bool cb_sodium_start(void);

#endif
