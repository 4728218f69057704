"""Two result files hold the same data: every dataset bit for bit (NaN
equal to NaN) and every attribute, except those that record where and how
the file was made (host names, ranks, threads)."""
import h5py
import numpy as np

PROVENANCE = {"ran_on", "resumed_on"}


def _attrs(obj):
    return {k: v for k, v in obj.attrs.items() if k not in PROVENANCE and k != "DIMENSION_LIST"
            and k != "REFERENCE_LIST"}


def differences(a, b):
    """What differs between files a and b (an empty list: the same)."""
    out = []
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        names_a, names_b = [], []
        fa.visit(names_a.append)
        fb.visit(names_b.append)
        if names_a != names_b:
            return [f"objects differ: {sorted(set(names_a) ^ set(names_b))}"]
        for obj_a, obj_b in [(fa, fb)] + [(fa[n], fb[n]) for n in names_a]:
            ka, kb = _attrs(obj_a), _attrs(obj_b)
            if ka.keys() != kb.keys():
                out.append(f"{obj_a.name}: attributes {sorted(ka.keys() ^ kb.keys())}")
            for k in ka.keys() & kb.keys():
                x, y = np.asarray(ka[k]), np.asarray(kb[k])
                if not np.array_equal(x, y, equal_nan=x.dtype.kind == "f"):
                    out.append(f"{obj_a.name}: attribute {k}")
            if isinstance(obj_a, h5py.Dataset):
                x, y = obj_a[()], obj_b[()]
                if not np.array_equal(x, y, equal_nan=x.dtype.kind == "f"):
                    out.append(f"{obj_a.name}: values")
    return out
