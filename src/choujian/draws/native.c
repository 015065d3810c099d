/* choujian.draws.native: the per-item loops of a draw-v1 draw in C, bit for bit the same as the Python reference.

A draw hashes a million ids; in Python each hash costs a hash object, a method call and a bytes object, several
times the hash itself, and a frame handed over in random order pays a cache miss on every object at every pass.
These loops make one pass each, prefetch the objects a few items ahead, and hash with OpenSSL's SHA-256 from a copy
of a state that has absorbed the seed prefix once. Anything unexpected (a non-item, a duplicate id, an id that is
not UTF-8) is reported back, never decided here: the Python code then takes its own path and raises its own error.

The key is the spec's `-ln(u) / weight` with the C library's `log`, the very function Python's `math.log` calls.
*/
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#define OPENSSL_SUPPRESS_DEPRECATED
#include <math.h>
#include <openssl/sha.h>
#include <stdint.h>
#include <string.h>
#include <structmember.h>

#define AHEAD 12 /* objects prefetched ahead of the one being read: about one memory latency of work */

static PyObject *name_id, *name_weight, *name_stratum;

static inline void prefetch_object(PyObject *object) {
    __builtin_prefetch(object);
    __builtin_prefetch((const char *)object + 64);
}

/* u = ((t >> 203) + 0.5) / 2**53 = (2 * (t >> 203) + 1) * 2**-54, exactly: 2x + 1 < 2**54 is rounded to the nearest
   double (ties to even) by the conversion, as Python rounds the sum, and the scaling by a power of two is exact. */
static inline double u_of_digest(const unsigned char digest[32]) {
    uint64_t head = 0;
    for (int k = 0; k < 8; k++) head = (head << 8) | digest[k];
    return ldexp((double)(int64_t)(2 * (head >> 11) + 1), -54);
}

/* keys(ids: list[str], prefix: bytes, weights: buffer of float64 or None) -> (u: bytes, keys: bytes) or None.

   For each id, u of sha256(prefix + id.encode("utf-8")) and its key, as native float64 arrays. None if an id is not
   a str or has no UTF-8 form (the caller's Python path reports it). */
static PyObject *keys(PyObject *module, PyObject *args) {
    PyObject *ids, *weights_object;
    Py_buffer prefix, weights = {0};
    if (!PyArg_ParseTuple(args, "O!y*O", &PyList_Type, &ids, &prefix, &weights_object)) return NULL;
    Py_ssize_t n = PyList_GET_SIZE(ids);
    PyObject *result = NULL, *u_bytes = NULL, *key_bytes = NULL;
    if (weights_object != Py_None) {
        if (PyObject_GetBuffer(weights_object, &weights, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) goto done;
        if (weights.itemsize != 8 || weights.len != n * 8 || !weights.format || strcmp(weights.format, "d") != 0) {
            PyErr_SetString(PyExc_ValueError, "weights must be float64, one per id");
            goto done;
        }
    }
    u_bytes = PyBytes_FromStringAndSize(NULL, n * 8);
    key_bytes = PyBytes_FromStringAndSize(NULL, n * 8);
    if (!u_bytes || !key_bytes) goto done;
    if (PyList_GET_SIZE(ids) != n) { /* a finalizer run by an allocation above changed the list */
        PyErr_SetString(PyExc_RuntimeError, "the list of ids changed while its keys were computed");
        goto done;
    }
    double *u = (double *)PyBytes_AS_STRING(u_bytes), *key = (double *)PyBytes_AS_STRING(key_bytes);
    const double *w = weights.buf;
    SHA256_CTX primed, state;
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256_Init(&primed);
    SHA256_Update(&primed, prefix.buf, (size_t)prefix.len);
    int ok = 1;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (i + AHEAD < n) prefetch_object(PyList_GET_ITEM(ids, i + AHEAD));
        PyObject *id = PyList_GET_ITEM(ids, i);
        Py_ssize_t size;
        const char *text = PyUnicode_CheckExact(id) ? PyUnicode_AsUTF8AndSize(id, &size) : NULL;
        if (!text) {
            ok = 0;
            break;
        }
        state = primed;
        SHA256_Update(&state, text, (size_t)size);
        SHA256_Final(digest, &state);
        u[i] = u_of_digest(digest);
        key[i] = w ? -log(u[i]) / w[i] : -log(u[i]);
    }
    if (!ok) {
        PyErr_Clear();
        result = Py_NewRef(Py_None);
    } else {
        result = PyTuple_Pack(2, u_bytes, key_bytes);
    }
done:
    Py_XDECREF(u_bytes);
    Py_XDECREF(key_bytes);
    if (weights.obj) PyBuffer_Release(&weights);
    PyBuffer_Release(&prefix);
    return result;
}

/* Where the slots of an item type keep id, weight and stratum; 0 if the type does not keep all three in slots. */
static int slot_offsets(PyTypeObject *type, Py_ssize_t offset[3]) {
    PyObject *names[3] = {name_id, name_weight, name_stratum};
    for (int k = 0; k < 3; k++) {
        PyObject *descriptor = PyObject_GetAttr((PyObject *)type, names[k]);
        if (!descriptor) {
            PyErr_Clear();
            return 0;
        }
        int slot = Py_IS_TYPE(descriptor, &PyMemberDescr_Type) &&
                   PyType_IsSubtype(type, ((PyMemberDescrObject *)descriptor)->d_common.d_type) &&
                   ((PyMemberDescrObject *)descriptor)->d_member->type == T_OBJECT_EX;
        offset[k] = slot ? ((PyMemberDescrObject *)descriptor)->d_member->offset : -1;
        Py_DECREF(descriptor);
        if (!slot) return 0;
    }
    return 1;
}

#define SLOT(object, offset) (*(PyObject **)((char *)(object) + (offset)))

/* scan(items: list, item_type: type) -> (ids, weights, strata, codes, ascending, hashes) or None.

   The items' ids as a new list, weights as float64 bytes, each stratum's code (strata: a dict stratum -> code in
   order of first appearance; codes: int32 bytes), whether the ids are strictly ascending in code point order, and,
   if they are not, each id's str hash as int64 bytes (for the caller's duplicate check). None unless every item is
   exactly of item_type, a slotted type, with a str id, an int weight >= 1 and a str stratum.

   Two passes, each prefetching one level ahead: the items (collecting their fields' addresses), then the fields.
   Reading an id through an item that has just arrived would chain two memory latencies per item. Nothing between
   the passes can run Python code, so the items keep the collected fields alive. */
static PyObject *scan(PyObject *module, PyObject *args) {
    PyObject *items, *item_type;
    if (!PyArg_ParseTuple(args, "O!O!", &PyList_Type, &items, &PyType_Type, &item_type)) return NULL;
    Py_ssize_t offset[3];
    if (!slot_offsets((PyTypeObject *)item_type, offset)) Py_RETURN_NONE;
    Py_ssize_t n = PyList_GET_SIZE(items);
    PyObject **fields = PyMem_Malloc(sizeof(PyObject *) * 3 * (size_t)(n ? n : 1));
    PyObject *ids = PyList_New(n), *strata = PyDict_New();
    PyObject *weight_bytes = PyBytes_FromStringAndSize(NULL, n * 8);
    PyObject *code_bytes = PyBytes_FromStringAndSize(NULL, n * 4);
    PyObject *hash_bytes = PyBytes_FromStringAndSize(NULL, n * 8);
    PyObject *result = NULL;
    if (!fields) PyErr_NoMemory();
    if (!fields || !ids || !strata || !weight_bytes || !code_bytes || !hash_bytes) goto done;
    if (PyList_GET_SIZE(items) != n) goto refuse; /* a finalizer run by an allocation above changed the list */
    for (Py_ssize_t i = 0; i < n; i++) {
        if (i + AHEAD < n) __builtin_prefetch(PyList_GET_ITEM(items, i + AHEAD));
        PyObject *item = PyList_GET_ITEM(items, i);
        if (!Py_IS_TYPE(item, (PyTypeObject *)item_type)) goto refuse;
        for (int k = 0; k < 3; k++) {
            if (!(fields[3 * i + k] = SLOT(item, offset[k]))) goto refuse;
        }
    }
    double *weights = (double *)PyBytes_AS_STRING(weight_bytes);
    int32_t *codes = (int32_t *)PyBytes_AS_STRING(code_bytes);
    int64_t *hashes = (int64_t *)PyBytes_AS_STRING(hash_bytes);
    int ascending = 1;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (i + AHEAD < n) {
            prefetch_object(fields[3 * (i + AHEAD)]);
            __builtin_prefetch(fields[3 * (i + AHEAD) + 1]);
        }
        PyObject *id = fields[3 * i], *weight = fields[3 * i + 1], *stratum = fields[3 * i + 2];
        if (!PyUnicode_CheckExact(id) || !PyLong_CheckExact(weight) || !PyUnicode_CheckExact(stratum)) goto refuse;
        PyList_SET_ITEM(ids, i, Py_NewRef(id));
        weights[i] = PyLong_AsDouble(weight);
        if (!(weights[i] >= 1.0)) goto refuse;
        PyObject *code = PyDict_GetItemWithError(strata, stratum);
        if (!code) {
            if (PyErr_Occurred() || !(code = PyLong_FromSsize_t(PyDict_GET_SIZE(strata)))) goto refuse;
            int stored = PyDict_SetItem(strata, stratum, code);
            Py_DECREF(code);
            if (stored < 0) goto refuse;
        }
        codes[i] = (int32_t)PyLong_AsLong(code);
        if (ascending && i > 0) {
            int order = PyUnicode_Compare(fields[3 * (i - 1)], id);
            if (order == -1 && PyErr_Occurred()) goto refuse;
            if (order >= 0) { /* out of order: from here on the duplicate check needs every id's hash */
                ascending = 0;
                for (Py_ssize_t j = 0; j < i; j++) {
                    if (j + AHEAD < i) prefetch_object(fields[3 * (j + AHEAD)]);
                    if ((hashes[j] = PyObject_Hash(fields[3 * j])) == -1 && PyErr_Occurred()) goto refuse;
                }
            }
        }
        if (!ascending && (hashes[i] = PyObject_Hash(id)) == -1 && PyErr_Occurred()) goto refuse;
    }
    result = Py_BuildValue("(OOOOOO)", ids, weight_bytes, strata, code_bytes, ascending ? Py_True : Py_False,
                           ascending ? Py_None : hash_bytes);
    goto done;
refuse:
    PyErr_Clear();
    result = Py_NewRef(Py_None);
done:
    PyMem_Free(fields);
    Py_XDECREF(ids);
    Py_XDECREF(strata);
    Py_XDECREF(weight_bytes);
    Py_XDECREF(code_bytes);
    Py_XDECREF(hash_bytes);
    return result;
}

/* gather(values: list, positions: int64 array) -> list: [values[p] for p in positions], reading ahead. */
static PyObject *gather(PyObject *module, PyObject *args) {
    PyObject *values, *positions_object;
    if (!PyArg_ParseTuple(args, "O!O", &PyList_Type, &values, &positions_object)) return NULL;
    Py_buffer positions;
    if (PyObject_GetBuffer(positions_object, &positions, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) return NULL;
    const char *format = positions.format ? positions.format : "B";
    if (positions.itemsize != 8 || (strcmp(format, "q") != 0 && strcmp(format, "l") != 0)) {
        PyBuffer_Release(&positions);
        PyErr_SetString(PyExc_TypeError, "positions must be a contiguous array of int64");
        return NULL;
    }
    Py_ssize_t n = positions.len / 8;
    const int64_t *at = positions.buf;
    PyObject *out = PyList_New(n);
    Py_ssize_t size = PyList_GET_SIZE(values); /* after the allocation, which may have run a finalizer */
    for (Py_ssize_t i = 0; out && i < n; i++) {
        if (at[i] < 0 || at[i] >= size) {
            Py_CLEAR(out);
            PyErr_SetString(PyExc_IndexError, "position out of range");
            break;
        }
        if (i + AHEAD < n && at[i + AHEAD] >= 0 && at[i + AHEAD] < size) {
            __builtin_prefetch(PyList_GET_ITEM(values, at[i + AHEAD]), 1);
        }
        PyList_SET_ITEM(out, i, Py_NewRef(PyList_GET_ITEM(values, at[i])));
    }
    PyBuffer_Release(&positions);
    return out;
}

static PyMethodDef methods[] = {
    {"keys", keys, METH_VARARGS, "u and key of each id under a seed prefix, as float64 bytes (None: use Python)."},
    {"scan", scan, METH_VARARGS, "One pass over frame items: ids, weights, strata codes, order (None: use Python)."},
    {"gather", gather, METH_VARARGS, "The values at the given int64 positions, as a new list."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "choujian.draws.native", NULL, -1, methods};

PyMODINIT_FUNC PyInit_native(void) {
    name_id = PyUnicode_InternFromString("id");
    name_weight = PyUnicode_InternFromString("weight");
    name_stratum = PyUnicode_InternFromString("stratum");
    if (!name_id || !name_weight || !name_stratum) return NULL;
    return PyModule_Create(&module);
}
