#define _POSIX_C_SOURCE 200809L
/* zhizao report and export, and compare --base: the figures, the HTML page,
 * the CSV tables and the comparison against a base are made by the Python
 * package (analysis/zhizao/report.py, export.py, against.py), which these
 * commands run with Debian's interpreter so that Debian's python3-*
 * libraries are seen. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "zhizao/zhizao.h"

#ifndef ZZ_ANALYSIS_DIR
#define ZZ_ANALYSIS_DIR "analysis"
#endif

/* Debian's interpreter with the analysis package on its path. */
static const char *python_env(void)
{
    const char *dir = getenv("ZHIZAO_ANALYSIS");
    const char *old = getenv("PYTHONPATH");
    char path[4096];
    snprintf(path, sizeof path, "%s%s%s", dir ? dir : ZZ_ANALYSIS_DIR, old ? ":" : "", old ? old : "");
    setenv("PYTHONPATH", path, 1);
    setenv("MPLBACKEND", "Agg", 0);
    return access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
}

/* python3 -m MODULE ARGS... in place of this process. */
static int exec_python(const char *module, int argc, char **argv)
{
    const char *python = python_env();
    char **args = calloc((size_t)argc + 4, sizeof *args);
    if (!args)
        return ZZ_NOMEM;
    args[0] = (char *)python;
    args[1] = "-m";
    args[2] = (char *)module;
    for (int i = 0; i < argc; i++)
        args[3 + i] = argv[i];
    execvp(python, args);
    fprintf(stderr, "zhizao: cannot run %s for %s: ", python, module);
    perror(NULL);
    free(args);
    return ZZ_ERROR;
}

int zz_cli_python_wait(const char *module, int argc, char **argv)
{
    pid_t pid = fork();
    if (pid < 0) {
        perror("zhizao: fork");
        return ZZ_ERROR;
    }
    if (pid == 0)
        _exit(exec_python(module, argc, argv));
    int status;
    while (waitpid(pid, &status, 0) < 0)
        ;
    return WIFEXITED(status) ? WEXITSTATUS(status) : ZZ_ERROR;
}

int zz_cli_report(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fprintf(argc < 2 ? stderr : stdout, "usage: zhizao report OUT.h5 -o DIR [--base twin|SCENARIO] [--focus TARGET] [--level 0.95]\n");
        return argc < 2 ? ZZ_USAGE : ZZ_OK;
    }
    return exec_python("zhizao.report", argc - 1, argv + 1);
}

int zz_cli_export(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fprintf(argc < 2 ? stderr : stdout, "usage: zhizao export OUT.h5 --csv DIR\n"
                "  writes headline.csv, pathways.csv and replicates.csv (analysis/zhizao/export.py)\n");
        return argc < 2 ? ZZ_USAGE : ZZ_OK;
    }
    return exec_python("zhizao.export", argc - 1, argv + 1);
}
