/* Calendar dates: parsing RFC 3339 timestamps and dates to the UTC day, and the days of a
 * month. The one place for calendar math. */
#ifndef CB_DATE_H
#define CB_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The number of days of month m (1-12) of year y (proleptic Gregorian); 31 for any other m. */
int date_days_in_month(int y, int m);

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
int64_t date_days_from_civil(int64_t y, int m, int d);

/* The date of a day count since 1970-01-01 (the inverse of date_days_from_civil). */
void date_civil_from_days(int64_t z, int *y, int *m, int *d);

/* The day of the week of a date, 0 = Monday .. 6 = Sunday. */
int date_weekday(int64_t y, int m, int d);

/* "January" .. "December" for m = 1 .. 12, "" otherwise; static. */
const char *date_month_name(int m);

/* Parses an RFC 3339 timestamp (or with date_only, YYYY-MM-DD) to the UTC date: false when it
 * is not one. The usual UTC forms take a shorter way; date_parse_timestamp_general, a test hook,
 * is the long way alone (the two must agree on every input). */
bool date_parse_timestamp(const char *s, size_t n, bool date_only, int *y, int *m, int *d);
bool date_parse_timestamp_general(const char *s, size_t n, bool date_only, int *y, int *m, int *d);

#endif
