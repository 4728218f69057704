#ifndef ZZ_ALIASES_H
#define ZZ_ALIASES_H
/* The English name a scenario uses for a Chinese city or industry name
 * (济南 -> Jinan, 电子 -> electronics), or NULL when `name` is none. */
const char *zz_name_alias(const char *name);
#endif
