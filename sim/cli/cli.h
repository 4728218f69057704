#ifndef ZZ_CLI_H
#define ZZ_CLI_H
int zz_cli_run(int argc, char **argv, int compare);
int zz_cli_check(int argc, char **argv);
int zz_cli_report(int argc, char **argv);
int zz_cli_export(int argc, char **argv);
/* Runs python3 -m MODULE ARGV[0..argc) with the analysis package, waits,
 * returns its exit status (cli_report.c). */
int zz_cli_python_wait(const char *module, int argc, char **argv);
int zz_cli_explore(int argc, char **argv);
int zz_cli_calibrate(int argc, char **argv);
struct zz_scenario;
struct zz_experiment;
/* Before any work: the output may not be a device, a directory, or one of
 * the files the run reads (each scenario, its includes, its firm file; with
 * ex, the experiment file, its includes and design file). Prints the
 * error. */
int zz_cli_check_output(const char *out, struct zz_scenario *const *sc, int nsc,
                        const struct zz_experiment *ex);
/* The same for `name` (calibrated.lua, best_mix.lua) beside out. */
int zz_cli_check_side(const char *out, const char *name, struct zz_scenario *const *sc, int nsc,
                      const struct zz_experiment *ex);
/* Takes the lock of "<out>.partial" for the whole run (output/outpath.h);
 * with resume, refuses at once when there is nothing to resume. Prints the
 * error; *fd is -1 on failure. */
int zz_cli_claim_partial(const char *out, int resume, int *fd);
/* The same for "<name>.writing" beside out (the side file's temporary name,
 * renamed when written); release removes it if it is still there. */
int zz_cli_claim_side(const char *out, const char *name, int *fd);
void zz_cli_release_side(const char *out, const char *name, int fd);
/* Drops the lock of zz_cli_claim_partial; with failed (a run that was not
 * resuming stopped), the .partial goes too if the claim left it empty. */
void zz_cli_release_partial(const char *out, int fd, int failed);
int zz_cli_optimise(int argc, char **argv);
/* Warns on stderr-like `out` of work scheduled after the run's end (a
 * target's deadline, a programme's start), with file:line; the count. */
#include <stdio.h>
int zz_cli_warn_schedule(FILE *out, const struct zz_scenario *sc);
/* Opens every file the scenario names (its firm file): ZZ_OK, or prints
 * the error with the declaring file:line and returns ZZ_IO. */
int zz_cli_check_files(FILE *out, const struct zz_scenario *sc);
/* --scale F (cli_scale.c): parses F, a number in (0, 1]; prints the error. */
int zz_cli_parse_scale(const char *text, double *F);
/* Whether scenario sc can be run at scale F (a firm file cannot be
 * shrunk); prints the error naming the scenario. */
int zz_cli_check_scale(const struct zz_scenario *sc, double F);
#endif
