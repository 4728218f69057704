/* The configuration moved to sim/config.h (it is the model's and the
 * engine's as much as the scenario binding's); this name stays for code
 * written against the old path. */
#include "../config.h"
