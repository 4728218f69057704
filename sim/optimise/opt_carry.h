#ifndef ZZ_OPT_CARRY_H
#define ZZ_OPT_CARRY_H
#include <stddef.h>
#include <stdio.h>

/* Writes the scenario `main_path` from its bundle (the text the run read)
 * to fp with every include replaced by the included file's text, so that
 * the result runs from any directory. 0, or -1 with a message in err. */
int zz_opt_carry_scenario(FILE *fp, const char *bundle, const char *main_path, char *err,
                          size_t errlen);

#endif
