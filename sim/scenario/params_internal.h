/* Shared between the parameter registry's files; not part of the interface
 * (params.h). Each file uses only those above it in this list:
 *   param_names.c     name tables, messages naming a bad name, trimming
 *   param_format.c    a value as text, a type's valid values as text
 *   param_types.c     one row per type: store a value, read --set text
 *                     (and the rows point at param_format.c's functions)
 *   params.c          the table of parameters, derived values, checks
 *   param_keys.c      instances, keys, setting by key (--set, sim:set)
 *   param_describe.c  describe and the reference */
#ifndef ZZ_PARAMS_INTERNAL_H
#define ZZ_PARAMS_INTERNAL_H

#include <stdint.h>

#include "scenario/params.h"

/* One block instance: scenario, population, decision, each programme, each
 * target, each pioneer. Its key prefix is "voucher.compute" etc. */
typedef struct zz_param_inst {
    int block, index, kind;
    char prefix[ZZ_NAME_LEN * 2 + 16];
} zz_param_inst;

/* Called for each key of a configuration (zz_pi_each_key). */
typedef int (*zz_param_key_fn)(void *ud, const char *key, const zz_param *p,
                               const zz_param_inst *in, int sub);

/* params.c */
int zz_pi_applies(const zz_param *p, int kind);

/* param_names.c */
void zz_pi_fmt(char *buf, size_t len, const char *f, ...);
int zz_pi_bad_name(char *msg, size_t len, const char *item, const char *what,
                   const char *const *names, int n);
int zz_pi_find_name(const char *item, const char *const *names, int n);
int zz_pi_split_choices(const char *choices, char words[8][24], const char *ptrs[8]);
char *zz_pi_trim(char *s);

/* param_types.c: the names a type takes, and what it is ("a city") */
int zz_pi_names_of(const zz_config *cfg, int type, const char *const **names, const char **what,
                   const char *ptrs[ZZ_MAX_CITIES]);

/* param_format.c */
void zz_pi_fmt_number(char *buf, size_t len, double x);
void zz_pi_fmt_num(char *buf, size_t len, const zz_config *cfg, const zz_param *p,
                   const void *base, int sub);
void zz_pi_fmt_int(char *buf, size_t len, const zz_config *cfg, const zz_param *p,
                   const void *base, int sub);
void zz_pi_fmt_bool(char *buf, size_t len, const zz_config *cfg, const zz_param *p,
                    const void *base, int sub);
void zz_pi_fmt_date_row(char *buf, size_t len, const zz_config *cfg, const zz_param *p,
                        const void *base, int sub);
void zz_pi_fmt_string(char *buf, size_t len, const zz_config *cfg, const zz_param *p,
                      const void *base, int sub);
void zz_pi_fmt_choice(char *buf, size_t len, const zz_config *cfg, const zz_param *p,
                      const void *base, int sub);
void zz_pi_fmt_list(char *buf, size_t len, const zz_config *cfg, const zz_param *p,
                    const void *base, int sub);
void zz_pi_fmt_one_name(char *buf, size_t len, const zz_config *cfg, const zz_param *p,
                        const void *base, int sub);
void zz_pi_fmt_expansions(char *buf, size_t len, const zz_config *cfg, const zz_param *p,
                          const void *base, int sub);
void zz_pi_valid_range(char *buf, size_t len, const zz_param *p, const char *lo, const char *hi);
void zz_pi_valid_date(char *buf, size_t len, const zz_param *p, const char *lo, const char *hi);
void zz_pi_valid_string(char *buf, size_t len, const zz_param *p, const char *lo, const char *hi);
void zz_pi_valid_choice(char *buf, size_t len, const zz_param *p, const char *lo, const char *hi);
void zz_pi_valid_expansions(char *buf, size_t len, const zz_param *p, const char *lo,
                            const char *hi);

/* param_keys.c */
int zz_pi_each_key(const zz_config *cfg, zz_param_key_fn fn, void *ud);

#endif
