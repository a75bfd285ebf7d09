#include "date.h"

int date_days_in_month(int y, int m)
{
    static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12)
        return 31;
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return d[m - 1];
}

int64_t date_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void date_civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

int date_weekday(int64_t y, int m, int d)
{
    int64_t z = date_days_from_civil(y, m, d); /* 1970-01-01 was a Thursday (3) */
    return (int)(((z % 7) + 7 + 3) % 7);
}

const char *date_month_name(int m)
{
    static const char *const names[12] = {"January",   "February", "March",    "April",
                                          "May",       "June",     "July",     "August",
                                          "September", "October",  "November", "December"};
    return m >= 1 && m <= 12 ? names[m - 1] : "";
}

static bool digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* The usual timestamp, UTC to the second or the millisecond ("2026-10-01T00:00:47.884Z",
 * "2026-10-01T00:00:47Z"): every digit position checked at once, no offset to apply. False
 * when s is not in that form (it may still be valid: the general code decides). */
static bool utc_timestamp(const char *s, size_t n, int *yp, int *mp, int *dp)
{
    if (!(n == 20 || (n == 24 && s[19] == '.')) || s[n - 1] != 'Z' || s[4] != '-' || s[7] != '-' ||
        s[10] != 'T' || s[13] != ':' || s[16] != ':')
        return false;
#define DG(i) ((unsigned)(unsigned char)s[i] - '0')
    unsigned y0 = DG(0), y1 = DG(1), y2 = DG(2), y3 = DG(3), m0 = DG(5), m1 = DG(6), d0 = DG(8),
             d1 = DG(9), h0 = DG(11), h1 = DG(12), i0 = DG(14), i1 = DG(15), s0 = DG(17),
             s1 = DG(18);
    unsigned bad = (y0 > 9) | (y1 > 9) | (y2 > 9) | (y3 > 9) | (m0 > 9) | (m1 > 9) | (d0 > 9) |
                   (d1 > 9) | (h0 > 9) | (h1 > 9) | (i0 > 9) | (i1 > 9) | (s0 > 9) | (s1 > 9);
    if (n == 24)
        bad |= (DG(20) > 9) | (DG(21) > 9) | (DG(22) > 9);
#undef DG
    int y = (int)(y0 * 1000 + y1 * 100 + y2 * 10 + y3), m = (int)(m0 * 10 + m1),
        d = (int)(d0 * 10 + d1);
    if (bad || y < 1 || m < 1 || m > 12 || d < 1 || d > date_days_in_month(y, m) ||
        h0 * 10 + h1 > 23 || i0 * 10 + i1 > 59 || s0 * 10 + s1 > 60)
        return false;
    *yp = y, *mp = m, *dp = d;
    return true;
}

bool date_parse_timestamp(const char *s, size_t n, bool date_only, int *yp, int *mp, int *dp)
{
    return (!date_only && utc_timestamp(s, n, yp, mp, dp)) ||
           date_parse_timestamp_general(s, n, date_only, yp, mp, dp);
}

bool date_parse_timestamp_general(const char *s, size_t n, bool date_only, int *yp, int *mp,
                                  int *dp)
{
    int y, m, d;
    if (n < 10 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) || s[7] != '-' ||
        !digits(s + 8, 2, &d))
        return false;
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > date_days_in_month(y, m))
        return false;
    if (date_only) {
        if (n != 10)
            return false;
        *yp = y, *mp = m, *dp = d;
        return true;
    }
    int hh, mm, ss;
    if (n < 20 || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s + 11, 2, &hh) ||
        s[13] != ':' || !digits(s + 14, 2, &mm) || s[16] != ':' || !digits(s + 17, 2, &ss))
        return false;
    if (hh > 23 || mm > 59 || ss > 60)
        return false;
    size_t i = 19;
    if (s[i] == '.') {
        size_t k = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == k)
            return false;
    }
    int offset = 0; /* minutes east of UTC */
    if (i < n && (s[i] == 'Z' || s[i] == 'z'))
        i++;
    else if (i + 6 == n && (s[i] == '+' || s[i] == '-')) {
        int oh, om;
        if (!digits(s + i + 1, 2, &oh) || s[i + 3] != ':' || !digits(s + i + 4, 2, &om) ||
            oh > 23 || om > 59)
            return false;
        offset = (oh * 60 + om) * (s[i] == '-' ? -1 : 1);
        i += 6;
    } else
        return false;
    if (i != n)
        return false;
    int minutes = hh * 60 + mm - offset;
    if (minutes < 0) {
        if (--d < 1) {
            if (--m < 1) {
                m = 12;
                if (--y < 1)
                    return false;
            }
            d = date_days_in_month(y, m);
        }
    } else if (minutes >= 24 * 60) {
        if (++d > date_days_in_month(y, m)) {
            d = 1;
            if (++m > 12) {
                m = 1;
                if (++y > 9999)
                    return false;
            }
        }
    }
    *yp = y, *mp = m, *dp = d;
    return true;
}
