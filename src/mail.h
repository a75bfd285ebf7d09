/* Invoices ready to send (SPEC §8): one RFC 5322 message per team of a rendered month. */
#ifndef CB_MAIL_H
#define CB_MAIL_H

#include <stdbool.h>

#include "status.h"

struct mail_opts {
    const char *dir;  /* the rendered month folder */
    const char *from; /* the sender, "Name <addr>" or "addr" */
    const char *out;  /* where the messages go; NULL for DIR-mail */
    const char *cc;   /* NULL or an address list copied on every message */
    bool send;        /* hand each message to sendmail -t -i */
    bool draft;       /* write them for an unsigned billing month, marked as drafts */
    bool quiet;       /* no line per message */
};

/* Reads DIR/report.json and writes one message per team with a contact into the output folder
 * (replaced whole and atomically, like a month folder), each with the team's PDF and workbook
 * attached byte for byte; with o->send also pipes each one to sendmail. The bytes depend only on
 * the month folder and the options. A billing month must be signed and unchanged since
 * (archive_check) unless o->draft.
 * Returns CB_OK; CB_EUSAGE for a bad address, an unsigned month, an output folder inside DIR or
 * holding other files, a report.json that is not one; CB_EDATA when a signed month changed
 * since it was signed; CB_EIO when a file cannot be read or written or sendmail fails. err says
 * which file, team or field. Borrows every string of o. */
enum cb_status mail_month(const struct mail_opts *o, struct cb_error *err);

#endif
