/* The experiment file's variables (xvars.h). */
#include "output/xvars.h"

#define TASK XD_POINT, XD_SCENARIO, XD_REPLICATE
const struct zz_xvar zz_xvars[XV_N] = {
    [XV_TARGET_SHARE] = {"target_share", "adoption share of the target group", NULL, XT_F64, 5, 0,
                         {TASK, XD_TIME, XD_TARGET}},
    [XV_CF_TARGET_SHARE] = {"cf_target_share", "adoption share of the target group, no-policy twin",
                            NULL, XT_F64, 5, 0, {TASK, XD_TIME, XD_TARGET}},
    [XV_TIME_TO_TARGET] = {"time_to_target", "days from start until the target share is reached "
                           "(NaN: not reached)", "days", XT_F64, 4, 0, {TASK, XD_TARGET}},
    [XV_CF_TIME_TO_TARGET] = {"cf_time_to_target", "days until the target is reached in the "
                              "no-policy twin (NaN: not reached)", "days", XT_F64, 4, 0,
                              {TASK, XD_TARGET}},
    [XV_ADDITIONAL] = {"additional", "adopters at the end minus the no-policy twin's, in the "
                       "target group", "firms", XT_F64, 4, 0, {TASK, XD_TARGET}},
    [XV_SUPPORTED] = {"supported", "adopters at the end that received any support", "firms",
                      XT_F64, 4, 0, {TASK, XD_TARGET}},
    [XV_DEADWEIGHT] = {"deadweight", "supported adopters that adopt in the no-policy twin too",
                       "firms", XT_F64, 4, 0, {TASK, XD_TARGET}},
    [XV_TARGET_FIRMS] = {"target_firms", "firms in the target group", "firms", XT_F64, 4, 0,
                         {TASK, XD_TARGET}},
    [XV_DEADWEIGHT_LAG] = {"deadweight_lag", "mean days the twin adopts after the policy run, "
                           "over deadweight firms (NaN: none)", "days", XT_F64, 4, 0,
                           {TASK, XD_TARGET}},
    [XV_COMMITTED] = {"committed", "funds committed and not yet disbursed", "yuan", XT_F64, 5, 0,
                      {TASK, XD_TIME, XD_INSTRUMENT}},
    [XV_SPENT] = {"spent", "funds disbursed, cumulative", "yuan", XT_F64, 5, 0,
                  {TASK, XD_TIME, XD_INSTRUMENT}},
    [XV_EVENTS] = {"events", "events processed", NULL, XT_I64, 3, 0, {TASK}},
    [XV_CF_EVENTS] = {"cf_events", "events processed by the no-policy twin", NULL, XT_I64, 3, 0,
                      {TASK}},
    [XV_DONE] = {"task_done", "1 once the task's results are stored", NULL, XT_U8, 3, 0, {TASK}},
    [XV_ADOPTED] = {"adopted", "firms using AI: adopted (pilot) or scaled", "firms", XT_I32, 7, 1,
                    {TASK, XD_TIME, XD_CITY, XD_INDUSTRY, XD_SIZE}},
    [XV_CF_ADOPTED] = {"cf_adopted", "firms using AI in the no-policy twin", "firms", XT_I32, 7, 1,
                       {TASK, XD_TIME, XD_CITY, XD_INDUSTRY, XD_SIZE}},
    [XV_FIRMS] = {"firms", "firms in the cell", "firms", XT_I32, 5, 1,
                  {XD_POINT, XD_SCENARIO, XD_CITY, XD_INDUSTRY, XD_SIZE}},
};


hid_t zz_xvar_ftype(int t)
{
    return t == XT_F64 ? H5T_IEEE_F64LE : t == XT_I64 ? H5T_STD_I64LE
         : t == XT_I32 ? H5T_STD_I32LE : H5T_STD_U8LE;
}

hid_t zz_xvar_mtype(int t)
{
    return t == XT_F64 ? H5T_NATIVE_DOUBLE : t == XT_I64 ? H5T_NATIVE_INT64
         : t == XT_I32 ? H5T_NATIVE_INT32 : H5T_NATIVE_UINT8;
}

/* A zero-length dimension is unlimited, as in h5dims.c: netCDF has no
 * fixed dimension of length 0, and HDF5 needs chunking for it. */
void zz_xvar_extent(const hsize_t *len, int rank, const int *dims, hsize_t *cur, hsize_t *max,
                    hsize_t *chunk)
{
    for (int k = 0; k < rank; k++) {
        hsize_t n = len[dims[k]];
        cur[k] = n;
        max[k] = n ? n : H5S_UNLIMITED;
        /* one task per chunk: a task's record is one write of whole chunks */
        chunk[k] = dims[k] <= XD_REPLICATE || n == 0 ? 1 : n;
    }
}
