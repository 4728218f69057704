#ifndef ZZ_CLI_H
#define ZZ_CLI_H
int zz_cli_run(int argc, char **argv, int compare);
int zz_cli_check(int argc, char **argv);
int zz_cli_report(int argc, char **argv);
int zz_cli_explore(int argc, char **argv);
int zz_cli_calibrate(int argc, char **argv);
int zz_cli_optimise(int argc, char **argv);
#endif
