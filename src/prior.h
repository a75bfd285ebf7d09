/* Earlier months read back from their report.json (prior.c): the month before, for month-over-
 * month figures (--previous), and the signed month a corrected revision supersedes
 * (--supersedes). The pipeline reads them; report_build takes the plain data. */
#ifndef CB_PRIOR_H
#define CB_PRIOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

struct prior_team {
    char *id, *invoice_number; /* invoice_number "" when the report had none */
    /* as the report wrote them beside the invoice ("" when it had none, NULL when the report
       does not have the field): a corrected revision reverses the invoice on the accounts it
       was posted to */
    char *name, *cost_center, *reference, *gl_account;
    int64_t total, list_cost; /* cents */
};

struct prior_month {
    char *folder;             /* as given */
    char *path;               /* its report.json, for messages */
    char month[8];            /* "2026-10" */
    int revision;             /* 1 when report.json has none */
    bool shadow;              /* its mode is "shadow": never billed */
    struct prior_team *teams; /* sorted by id */
    size_t n_teams;
    /* the journal.credit_account its charges.csv balanced against ("" for a charge list), or
       NULL when its report.json does not say (written before report.json had "journal") */
    char *credit_account;
    /* prior_read_signed only */
    char *signed_by, *signed_at;
    char signoff_sha256[65]; /* of its SIGNOFF.json */
    char signed_on[11];      /* the UTC day of signed_at, "2026-11-03" */
};

/* Reads DIR/report.json of the month before (--previous). Returns CB_OK with *out set (free
 * with prior_free); CB_EUSAGE naming the file when it cannot be read or is not a chargeback
 * report (period.month, teams with decimal-string total and list_cost). */
enum cb_status prior_read_previous(const char *dir, struct prior_month **out, struct cb_error *err);

/* Reads the signed billing month DIR (--supersedes): its report.json, SIGNOFF.json and the
 * SHA-256 of SIGNOFF.json. CB_EUSAGE when DIR is not signed, a file cannot be read, the report
 * is not a chargeback report or its revision is not 1 to 98, or SIGNOFF.json's signed_at is not
 * an RFC 3339 time; CB_EIO when hashing fails. */
enum cb_status prior_read_signed(const char *dir, struct prior_month **out, struct cb_error *err);

/* The team with this id, or NULL. Borrowed; a binary search. */
const struct prior_team *prior_find(const struct prior_month *m, const char *id);

void prior_free(struct prior_month *m);

#endif
