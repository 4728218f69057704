#define _POSIX_C_SOURCE 200809L
/*
 * The command line: zhizao run | check | compare | report.
 * Exit codes are the zz_result codes of zhizao.h (listed in --help).
 */
#include <malloc.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "output/results.h"
#include "parallel/mpi.h"
#include "zhizao/zhizao.h"

static void usage(FILE *out)
{
    fputs("usage: zhizao run SCENARIO.lua [-o OUT.h5] [--replications N] [--threads T]\n"
          "                  [--seed S] [--set KEY=VALUE]... [--counterfactual] [--firms] [--scale F]\n"
          "                  [--quiet]\n"
          "       zhizao check SCENARIO.lua [--set KEY=VALUE]...\n"
          "       zhizao compare A.lua B.lua ... -o OUT.h5 [--base NAME] [same options as run]\n"
          "       zhizao explore EXPERIMENT.lua -o OUT.h5 [--points N] [--replications R] [--resume]\n"
          "                      [--cells] [--set [SCENARIO:]KEY=VALUE]... [--scale F]\n"
          "       zhizao calibrate CALIBRATION.lua -o OUT.h5 [--resume] [--recover [--truth K=V,...]]\n"
          "       zhizao optimise OPTIMISATION.lua -o OUT.h5 [--front N] [--resume] [--scale F]\n"
          "       zhizao report OUT.h5 -o DIR\n"
          "       zhizao export OUT.h5 --csv DIR\n"
          "       zhizao --help | --version\n"
          "\n"
          "run      simulates the scenario's replications in parallel and writes an HDF5\n"
          "         file (default: <scenario name>.h5) that xarray.open_dataset opens;\n"
          "         prints adoption at the end, time to each target and money spent,\n"
          "         with their spread over replications.\n"
          "check    validates the scenario without running it and prints every resolved\n"
          "         parameter, defaults included.\n"
          "compare  runs several scenarios on the same seeds, each beside its no-policy\n"
          "         twin, into one file with a group per scenario.\n"
          "explore  runs an experiment: every point of a design over uncertain parameters x\n"
          "         scenarios x replications, one shared no-policy twin per point and\n"
          "         replication, into one file (zhizao.open reads it; docs/experiments.md).\n"
          "optimise splits a budget between programmes (and sets free parameters) for an\n"
          "         objective by a deadline, confirmed on fresh seeds (docs/optimise.md).\n"
          "calibrate estimates free parameters by the method of simulated moments\n"
          "         (docs/calibration.md).\n"
          "report   writes PNG figures and a self-contained HTML page for a result file.\n"
          "export   writes a result file's headline, pathways and per-replicate numbers as CSV.\n"
          "\n"
          "Started by mpirun or srun, run, compare, explore, calibrate and optimise spread\n"
          "their work over MPI ranks, with the one-process result (docs/cluster.md).\n"
          "\n"
          "options:\n"
          "  -o, --output FILE       result file (written as FILE.partial, renamed when complete)\n"
          "  -r, --replications N    replications (default: the scenario's)\n"
          "  -t, --threads T         OpenMP threads (default: all cores); results do not depend on it\n"
          "  -s, --seed S            seed (default: the scenario's)\n"
          "      --set KEY=VALUE     override a parameter, e.g. voucher.compute.rate=0.4\n"
          "      --counterfactual    also run each replication's no-policy twin (variables cf_*,\n"
          "                          additional, supported, deadweight)\n"
          "      --firms             also write the per-firm record (firm_day, firm_support)\n"
          "      --lua-instructions N  total Lua instructions of one replication over all calls\n"
          "                          of its decision function and callbacks (default 10^10)\n"
          "      --lua-seconds S     total seconds of Lua of one replication (default 600)\n"
          "      --scale F           a quick rehearsal on a fraction F in (0, 1] of the region\n"
          "                          (run, compare, explore, optimise): firms, every budget and\n"
          "                          every count that grows with the region (contest winners,\n"
          "                          campaign firms, equity places, compute capacity) times F;\n"
          "                          counts and money reported per the full region, shares as\n"
          "                          simulated. Safe for shares and money per firm; integer\n"
          "                          counts round and small groups (pioneer pairs) get noisy:\n"
          "                          confirm at F = 1 (docs/scenario-language.md, Rehearsals)\n"
          "  -q, --quiet             no progress line and no summary\n"
          "\n"
          "exit codes: 0 ok, 1 error, 2 usage, 3 invalid scenario, 4 invalid firm file,\n"
          "            5 file I/O, 6 out of memory, 7 scenario exceeded its limits,\n"
          "            8 interrupted (finished replications kept in OUT.h5.partial)\n",
          out);
}

static void on_signal(int sig)
{
    (void)sig;
    zz_request_interrupt();
}

static int dispatch(int argc, char **argv);

int main(int argc, char **argv)
{
    /* A replication allocates its firm arrays (megabytes each) and frees
     * them at its end; the next replication asks for the same sizes. glibc
     * may serve such blocks with fresh mmap()ed pages, so that every
     * replication pays a page fault per 4 KiB it touches; kept in the heap,
     * the next replication reuses them. Measured (40 replications with
     * twins at 120,000 firms, 2 threads): kernel time 1.1 s -> 0.8 s; at
     * 40,000 firms glibc's own adaptive threshold already does as well. */
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
    zz_output_init();
    /* under mpirun or srun: join the job first (a plain run never does) */
    char err[512];
    if (zz_mpi_start(&argc, &argv, err, sizeof err)) {
        fprintf(stderr, "zhizao: %s\n", err);
        return ZZ_USAGE;
    }
    int rc = dispatch(argc, argv);
    return zz_mpi_end(rc);
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return ZZ_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return ZZ_OK;
    }
    if (!strcmp(cmd, "--version")) {
        printf("zhizao %s\n", ZZ_VERSION);
        return ZZ_OK;
    }
    /* Ctrl-C: replications stop, the finished ones stay in the .partial
     * file, which is marked incomplete. */
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    /* these spread their work over ranks; anything else on several ranks
     * would have each rank write the same file */
    static const char *const spread[] = {"run", "compare", "explore", "calibrate", "optimise"};
    int spreads = 0;
    for (size_t i = 0; i < sizeof spread / sizeof *spread; i++)
        spreads |= !strcmp(cmd, spread[i]);
    if (zz_mpi_size() > 1 && !spreads) {
        if (zz_mpi_rank() == 0)
            fprintf(stderr, "zhizao: '%s' runs in one process (its threads); of the commands "
                    "only run, compare, explore, calibrate and optimise spread over MPI ranks: "
                    "run it without mpirun, or with mpirun -n 1\n", cmd);
        return ZZ_USAGE;
    }
    if (!strcmp(cmd, "run"))
        return zz_cli_run(argc - 1, argv + 1, 0);
    if (!strcmp(cmd, "compare"))
        return zz_cli_run(argc - 1, argv + 1, 1);
    if (!strcmp(cmd, "check"))
        return zz_cli_check(argc - 1, argv + 1);
    if (!strcmp(cmd, "explore"))
        return zz_cli_explore(argc - 1, argv + 1);
    if (!strcmp(cmd, "calibrate"))
        return zz_cli_calibrate(argc - 1, argv + 1);
    if (!strcmp(cmd, "optimise"))
        return zz_cli_optimise(argc - 1, argv + 1);
    if (!strcmp(cmd, "report"))
        return zz_cli_report(argc - 1, argv + 1);
    if (!strcmp(cmd, "export"))
        return zz_cli_export(argc - 1, argv + 1);
    fprintf(stderr, "zhizao: unknown command '%s'; valid: run, check, compare, explore, calibrate, optimise, report, export\n", cmd);
    usage(stderr);
    return ZZ_USAGE;
}
