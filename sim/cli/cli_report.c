#define _POSIX_C_SOURCE 200809L
/* zhizao report: the figures and the HTML page are drawn by the Python
 * package (analysis/zhizao/report.py), which this command runs with
 * Debian's interpreter so that Debian's python3-* libraries are seen. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "zhizao/zhizao.h"

#ifndef ZZ_ANALYSIS_DIR
#define ZZ_ANALYSIS_DIR "analysis"
#endif

int zz_cli_report(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fprintf(argc < 2 ? stderr : stdout, "usage: zhizao report OUT.h5 -o DIR [--base twin|SCENARIO] [--focus TARGET] [--level 0.95]\n");
        return argc < 2 ? ZZ_USAGE : ZZ_OK;
    }
    const char *dir = getenv("ZHIZAO_ANALYSIS");
    const char *old = getenv("PYTHONPATH");
    char path[4096];
    snprintf(path, sizeof path, "%s%s%s", dir ? dir : ZZ_ANALYSIS_DIR, old ? ":" : "", old ? old : "");
    setenv("PYTHONPATH", path, 1);
    setenv("MPLBACKEND", "Agg", 0);
    char **args = calloc((size_t)argc + 4, sizeof *args);
    if (!args)
        return ZZ_NOMEM;
    const char *python = access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
    args[0] = (char *)python;
    args[1] = "-m";
    args[2] = "zhizao.report";
    for (int i = 1; i < argc; i++)
        args[2 + i] = argv[i];
    execvp(python, args);
    perror("zhizao: cannot run python3 for the report");
    free(args);
    return ZZ_ERROR;
}
