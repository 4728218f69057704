#include "engine/escape.h"

#include <stdio.h>
#include <string.h>

char *zz_escape(const char *in, size_t inlen, char *out, size_t outlen)
{
    size_t o = 0;
    if (!outlen)
        return out;
    for (size_t i = 0; i < inlen && in[i]; i++) {
        unsigned char c = (unsigned char)in[i];
        char piece[5];
        /* UTF-8 (>= 0x80) passes: names of cities are Chinese. */
        if (c < 0x20 || c == 0x7f)
            snprintf(piece, sizeof piece, "\\x%02X", c);
        else
            snprintf(piece, sizeof piece, "%c", c);
        size_t n = strlen(piece);
        if (o + n + 4 > outlen) {
            if (outlen >= 4) {
                o = o > outlen - 4 ? outlen - 4 : o;
                memcpy(out + o, "...", 3);
                o += 3;
            }
            break;
        }
        memcpy(out + o, piece, n);
        o += n;
    }
    out[o < outlen ? o : outlen - 1] = '\0';
    return out;
}
