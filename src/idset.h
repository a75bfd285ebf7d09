/* A set of 128-bit request-id hashes for duplicate detection, in at most 16 bytes per distinct
 * id (8-byte slots, load kept between 0.6 and 0.9). Ids are stored quotiented: part of the hash
 * is the slot's position, the rest sits in the slot, so 8 bytes carry a 70-bit fingerprint. */
#ifndef CB_IDSET_H
#define CB_IDSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct idset;

/* Returns a new, empty set (it allocates its table on the first insert). Free with
 * idset_free. Never fails (OOM aborts). */
struct idset *idset_new(void);
/* Frees the set. Accepts NULL. */
void idset_free(struct idset *s);

/* Remembers `hash` and returns true when it was not in the set; returns false (and changes
 * nothing) when it was. Two distinct hashes that agree in their first 70 bits (after a fixed
 * bijective mix) are taken for the same id: see idset.c for the odds. Never fails. */
bool idset_insert(struct idset *s, const uint8_t hash[16]);

/* Starts loading the table memory that idset_insert(s, hash) will read, so the caller can do
 * other work while it arrives. Changes nothing; never fails. */
void idset_prefetch(const struct idset *s, const uint8_t hash[16]);

/* Sizes the tables for about n distinct ids in all, at a load of 3/4, so that a set whose size
 * is known up front does not resize as it fills. A hint: the set still grows past n, and a table
 * already big enough is left as it is. Never fails (OOM aborts). */
void idset_reserve(struct idset *s, size_t n);

/* Number of distinct ids held. */
size_t idset_count(const struct idset *s);
/* Bytes of the slot table (8 per slot, overflow pad included); 0 before the first insert. */
size_t idset_bytes(const struct idset *s);

#endif
