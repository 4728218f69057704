/* The model's random stream kinds (engine/rng.h addresses a draw by seed,
 * entity, replicate, kind and index; the engine names no kind). One kind
 * per kind of decision, so that adding draws to one never shifts the
 * numbers of another. An instrument that draws numbers of its own gets its
 * kind from its table row (zz_instrument.stream, policy/instrument.h):
 * the kinds missing here, 7 and 9, are the contest's and the campaign's,
 * and a new instrument takes the next number above ZZ_RNG_MODEL_LAST
 * (test_instruments checks that no two kinds clash). A number, once given,
 * never changes: results are reproducible from seed and scenario. */
#ifndef ZZ_STREAMS_H
#define ZZ_STREAMS_H

enum zz_stream {
    ZZ_RNG_POPULATION = 1,  /* firm attributes (replicate-independent)      */
    ZZ_RNG_REVIEW = 2,      /* review intervals                              */
    ZZ_RNG_DECIDE = 3,      /* adopt-or-not at a review                      */
    ZZ_RNG_IMPLEMENT = 4,   /* implementation duration                       */
    ZZ_RNG_SUCCESS = 5,     /* true success of an implementation             */
    ZZ_RNG_AWARE = 6,       /* awareness arrival                             */
    ZZ_RNG_SCALE = 8,       /* scale-up reviews                              */
    ZZ_RNG_SCENARIO = 10,   /* math.random inside a scenario (sequential)    */
    /* a programme's order of applicants in a lottery window, keyed by
     * window and programme: one kind for every instrument that allocates
     * by lottery (vouchers today), as a firm's applications are one act */
    ZZ_RNG_ALLOCATION = 11,
    ZZ_RNG_MODEL_LAST = ZZ_RNG_ALLOCATION
};

#endif
