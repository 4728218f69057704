/* Text from a file echoed in a message: control characters (a terminal's
 * escape sequences among them) and bytes that are not printable are shown
 * as \xHH, so a hostile value cannot rewrite the user's terminal. */
#ifndef ZZ_ESCAPE_H
#define ZZ_ESCAPE_H
#include <stddef.h>
/* Escapes at most inlen bytes of `in` into out (always NUL-terminated,
 * truncated with "..." if it does not fit). Returns out. */
char *zz_escape(const char *in, size_t inlen, char *out, size_t outlen);
#endif
