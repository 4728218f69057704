/*
 * The scenario sandbox: one test per power a scenario must not have, each
 * asserting the scenario fails with a message that says so; the limits
 * (instructions, memory) stop a runaway script within seconds naming its
 * line; and what stays available behaves (sorted pairs, harmless
 * collectgarbage, print to stderr with the line).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scenario/scenario.h"
#include "zhizao/zhizao.h"
#include "zz_test.h"

/* Loads `source` as "bad.lua"; checks the code and that the message holds
 * every non-NULL substring. Returns the code. */
static int expect(const char *what, const char *source, int rc_want, const char *s1,
                  const char *s2, const char *s3)
{
    zz_scenario *sc = NULL;
    int rc = zz_scenario_open_string(&sc, "bad.lua", source);
    const char *msg = zz_scenario_errmsg(sc);
    CHECKF(rc == rc_want, "%s: rc %d, expected %d (%s)", what, rc, rc_want, msg);
    const char *subs[3] = {s1, s2, s3};
    for (int i = 0; i < 3; i++)
        CHECKF(!subs[i] || strstr(msg, subs[i]), "%s: '%s' not in: %s", what, subs[i], msg);
    zz_scenario_close(sc);
    return rc;
}

static double cpu_seconds(clock_t since) { return (double)(clock() - since) / CLOCKS_PER_SEC; }

static void removed_powers(void)
{
    expect("os.execute", "scenario {}\nos.execute(\"touch /tmp/zhizao_pwned\")\n", ZZ_SCENARIO,
           "bad.lua:2:", "'os' is not available", NULL);
    expect("io.open", "local f = io.open(\"/etc/passwd\")\n", ZZ_SCENARIO, "bad.lua:1:",
           "'io' is not available", "cannot read or write files");
    expect("require", "local m = require(\"socket\")\n", ZZ_SCENARIO, "bad.lua:1:",
           "'require' is not available", "include");
    expect("package", "package.path = \"/tmp/?.lua\"\n", ZZ_SCENARIO, "bad.lua:1:",
           "'package' is not available", NULL);
    expect("debug.getinfo", "\nlocal i = debug.getinfo(1)\n", ZZ_SCENARIO, "bad.lua:2:",
           "'debug' is not available", NULL);
    expect("dofile", "dofile(\"other.lua\")\n", ZZ_SCENARIO, "bad.lua:1:",
           "'dofile' is not available", NULL);
    expect("loadfile", "local f = loadfile(\"other.lua\")\n", ZZ_SCENARIO, "bad.lua:1:",
           "'loadfile' is not available", NULL);
    expect("load of text", "local f = load(\"return 1\")\n", ZZ_SCENARIO, "bad.lua:1:",
           "'load' is not available", "cannot compile code");
    expect("load of a binary chunk", "local f = load(\"\\27Lua\\84\\0\\25\\147\")\n", ZZ_SCENARIO,
           "bad.lua:1:", "'load' is not available", NULL);
    expect("a binary chunk as the scenario", "\x1bLuaT\x00\x19\x93\r\n\x1a\n", ZZ_SCENARIO,
           "bad.lua:", "precompiled (binary) Lua chunk is not accepted", NULL);
    expect("string.dump", "local s = string.dump(function() end)\n", ZZ_SCENARIO, "bad.lua:1:",
           "string.dump is not available", NULL);
    expect("string.dump as a method", "local f = function() end\nlocal s = (\"\").dump(f)\n",
           ZZ_SCENARIO, "bad.lua:2:", "string.dump is not available", NULL);
    expect("pattern matching", "local a = (\"aaaa\"):match(\"(a*)*b\")\n", ZZ_SCENARIO,
           "bad.lua:1:", "string.match is not available", "patterns");
    expect("table.move", "table.move({}, 1, 1e15, 2)\n", ZZ_SCENARIO, "bad.lua:1:",
           "table.move is not available", NULL);
    expect("__gc finalizer", "setmetatable({}, { __gc = function() while true do end end })\n",
           ZZ_SCENARIO, "bad.lua:1:", "__gc finalizers are not available", NULL);
    expect("math.random while loading", "scenario { seed = math.random(100) }\n", ZZ_SCENARIO,
           "bad.lua:1:", "math.random is only available inside at/when/decision functions", NULL);
    expect("math.randomseed", "math.randomseed(42)\n", ZZ_SCENARIO, "bad.lua:1:",
           "math.randomseed is not available", NULL);
    expect("lifting the strict globals", "setmetatable(_G, nil)\n", ZZ_SCENARIO,
           "cannot change a protected metatable", NULL, NULL);
    expect("coroutines", "local co = coroutine.create(function() end)\n", ZZ_SCENARIO,
           "bad.lua:1:", "'coroutine' is not available", NULL);
    /* hash order differs from run to run (Lua seeds its hashes): only the
     * sorted pairs() may walk a table */
    expect("next", "local t = { a = 1, b = 2 }\nlocal k = next(t)\n", ZZ_SCENARIO, "bad.lua:2:",
           "'next' is not available", NULL);
    expect("the string metatable", "getmetatable(\"\").__index = nil\n", ZZ_SCENARIO,
           "bad.lua:1:", "attempt to index a string value", NULL);
    expect("undefined global", "local x = undefined_thing + 1\n", ZZ_SCENARIO, "bad.lua:1:",
           "unknown name 'undefined_thing'", NULL);
}

static void limits(void)
{
    clock_t t0 = clock();
    expect("endless loop", "scenario { name = \"loop\" }\n\nwhile true do end\n", ZZ_LIMIT,
           "bad.lua:3:", "instruction limit exceeded", NULL);
    CHECKF(cpu_seconds(t0) < 5, "endless loop took %.1f s", cpu_seconds(t0));

    t0 = clock();
    expect("endless loop inside pcall",
           "while true do pcall(function() while true do end end) end\n", ZZ_LIMIT, "bad.lua:1:",
           "instruction limit exceeded", NULL);
    expect("a close handler that loops",
           "while true do pcall(function() local x <close> = setmetatable({}, { __close = "
           "function() while true do end end }) while true do end end) end\n",
           ZZ_LIMIT, "bad.lua:1:", "instruction limit exceeded", NULL);
    expect("error handler that loops",
           "while true do xpcall(error, function() while true do end end) end\n", ZZ_LIMIT,
           "instruction limit exceeded", NULL, NULL);
    CHECKF(cpu_seconds(t0) < 10, "loops took %.1f s", cpu_seconds(t0));

    t0 = clock();
    expect("memory bomb",
           "local t = {} for i = 1, 1e9 do t[i] = string.rep(\"x\", 1e6) .. i end\n", ZZ_LIMIT,
           "bad.lua:1:", "memory limit exceeded", NULL);
    CHECKF(cpu_seconds(t0) < 5, "memory bomb took %.1f s", cpu_seconds(t0));
    expect("one huge string", "\nlocal s = string.rep(\"x\", 2^40)\n", ZZ_LIMIT, "bad.lua:2:",
           "memory limit exceeded", NULL);
    t0 = clock();
    expect("memory bomb inside pcall",
           "local t = {}\nwhile true do pcall(function() t[#t + 1] = string.rep(\"x\", 1e6) .. #t end) end\n",
           ZZ_LIMIT, "bad.lua:", "limit exceeded", NULL);
    CHECKF(cpu_seconds(t0) < 10, "memory bomb in pcall took %.1f s", cpu_seconds(t0));
    t0 = clock();
    expect("an empty string repeated 1e18 times", "local s = string.rep(\"\", 1e18)\nscenario {}\n",
           ZZ_OK, NULL, NULL, NULL);
    CHECKF(cpu_seconds(t0) < 1, "string.rep took %.1f s", cpu_seconds(t0));
    zz_scenario *sc = NULL;
    int rc = zz_scenario_open_string(&sc, "bad.lua", "local function f() return 1 + f() end\nf()\n");
    CHECKF((rc == ZZ_SCENARIO || rc == ZZ_LIMIT) && strstr(zz_scenario_errmsg(sc), "bad.lua:"),
           "deep recursion: rc %d: %s", rc, zz_scenario_errmsg(sc));
    zz_scenario_close(sc);
}

static void what_stays(void)
{
    /* pairs walks keys sorted: numbers, then strings */
    zz_scenario *sc = NULL;
    int rc = zz_scenario_open_string(&sc, "ok.lua",
        "local t = { zeta = 1, alpha = 2, mid = 3, [10] = 4, [2] = 5, [1.5] = 6 }\n"
        "local s = \"k\"\n"
        "for k in pairs(t) do s = s .. \"_\" .. tostring(k) end\n"
        "scenario { name = s }\n"
        "assert(collectgarbage(\"count\") > 0)\n"
        "assert(collectgarbage() == 0)\n"
        "assert(string.format(\"%.1f\", 0.25) == \"0.2\" or true)\n"
        "assert(math.floor(2.5) == 2 and utf8.char(27743) == \"\\u{6C5F}\")\n"
        "assert(select(\"#\", table.unpack({1, 2, 3})) == 3)\n"
        "local u = {3, 1, 2} table.sort(u) assert(u[1] == 1 and u[3] == 3)\n"
        "local ok, err = pcall(error, \"caught\") assert(not ok and err == \"caught\")\n");
    CHECKF(rc == ZZ_OK, "%s", zz_scenario_errmsg(sc));
    if (rc == ZZ_OK)
        CHECKF(strcmp(sc->cfg.name, "k_1.5_2_10_alpha_mid_zeta") == 0, "name %s", sc->cfg.name);
    zz_scenario_close(sc);
    /* a UTF-8 byte-order mark is not an error */
    rc = zz_scenario_open_string(&sc, "bom.lua", "\xEF\xBB\xBFscenario { name = \"bom\" }\n");
    CHECKF(rc == ZZ_OK, "%s", zz_scenario_errmsg(sc));
    zz_scenario_close(sc);
}

/* Last: redirects stderr to a file to read what print wrote. */
static void print_goes_to_stderr(void)
{
    const char *path = "test_sandbox_print.txt";
    fflush(stderr);
    if (!freopen(path, "w", stderr)) {
        CHECKF(0, "cannot redirect stderr");
        return;
    }
    zz_scenario *sc = NULL;
    int rc = zz_scenario_open_string(&sc, "printer.lua", "scenario {}\n\nprint(\"hello\", 42, nil)\n");
    zz_scenario_close(sc);
    fflush(stderr);
    char buf[256] = "";
    FILE *f = fopen(path, "r");
    if (f) {
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = '\0';
        fclose(f);
    }
    remove(path);
    CHECKF(rc == ZZ_OK, "rc %d", rc);
    if (strcmp(buf, "printer.lua:3: hello\t42\tnil\n") != 0) {
        zz_test_failed++;
        printf("print wrote [%s]\n", buf);
    } else {
        zz_test_passed++;
    }
}

int main(void)
{
    removed_powers();
    limits();
    what_stays();
    print_goes_to_stderr();
    return zz_test_finish();
}
