/* Calendar dates: parsing RFC 3339 timestamps and dates to the UTC day, and the days of a
 * month. The one place for calendar math. */
#ifndef CB_DATE_H
#define CB_DATE_H

#include <stdbool.h>
#include <stddef.h>

/* The number of days of month m (1-12) of year y (proleptic Gregorian). */
int date_days_in_month(int y, int m);

/* Parses an RFC 3339 timestamp (or with date_only, YYYY-MM-DD) to the UTC date: false when it
 * is not one. The usual UTC forms take a shorter way; date_parse_timestamp_general, a test hook,
 * is the long way alone (the two must agree on every input). */
bool date_parse_timestamp(const char *s, size_t n, bool date_only, int *y, int *m, int *d);
bool date_parse_timestamp_general(const char *s, size_t n, bool date_only, int *y, int *m, int *d);

#endif
