/* The exact top-k of a BM25 query, compiled: the inner loop of `bm25.py`'s search.

Two strategies, both exact and both summing each passage's contributions in query-term order,
starting from 0.0, so every score has the same bits as the numpy path's:
- `top_all` (term at a time): every posting is added into per-passage scratch buffers;
- `top_maxscore` (document at a time, MaxScore): postings lists are walked together, and the
  lists whose bounds add up to less than the current k-th best score are only looked up.
Both return every live passage whose score is at least the k-th best (ties included, so the
caller's tie-breaking by matched terms, key and position stays exactly as before), as rows
(-score, -matched terms, article slot, position).

Built by setuptools as an optional extension; without it `bm25.py` uses numpy alone.
Floating-point contraction must stay off (see setup.py): `s += w * x` fused into one FMA would
round differently from numpy's separate multiply and add.
*/
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#define MAX_TERMS 64
/* Relative margin for float rounding in upper bounds, as BOUND_SLACK in bm25.py. */
#define SLACK 1e-9

typedef struct {
    Py_buffer view;
    int held;
} Held;

typedef struct {
    int32_t *docs;
    double *scores;
    int32_t *matched;
    Py_ssize_t size, room;
} Found;

/* A min-heap of the best `limit` scores seen: its root is the k-th best. */
typedef struct {
    double *values;
    Py_ssize_t size, limit;
} Heap;

static void heap_offer(Heap *heap, double value) {
    double *v = heap->values;
    Py_ssize_t i;
    if (heap->size < heap->limit) {
        i = heap->size++;
        while (i > 0 && v[(i - 1) / 2] > value) {
            v[i] = v[(i - 1) / 2];
            i = (i - 1) / 2;
        }
        v[i] = value;
        return;
    }
    if (value <= v[0])
        return;
    i = 0;
    for (;;) {
        Py_ssize_t child = 2 * i + 1;
        if (child >= heap->size)
            break;
        if (child + 1 < heap->size && v[child + 1] < v[child])
            child++;
        if (v[child] >= value)
            break;
        v[i] = v[child];
        i = child;
    }
    v[i] = value;
}

static inline int heap_full(const Heap *heap) { return heap->size == heap->limit; }

static int found_push(Found *found, int32_t doc, double score, int32_t matched) {
    if (found->size == found->room) {
        Py_ssize_t room = found->room ? 2 * found->room : 256;
        int32_t *docs = realloc(found->docs, room * sizeof(int32_t));
        if (docs)
            found->docs = docs;
        double *scores = realloc(found->scores, room * sizeof(double));
        if (scores)
            found->scores = scores;
        int32_t *counts = realloc(found->matched, room * sizeof(int32_t));
        if (counts)
            found->matched = counts;
        if (!docs || !scores || !counts) {
            PyErr_NoMemory();
            return -1;
        }
        found->room = room;
    }
    found->docs[found->size] = doc;
    found->scores[found->size] = score;
    found->matched[found->size] = matched;
    found->size++;
    return 0;
}

/* The arguments both strategies share. */
typedef struct {
    Py_ssize_t terms;
    const int32_t *docs[MAX_TERMS];
    const double *impacts[MAX_TERMS];
    Py_ssize_t length[MAX_TERMS];
    double weight[MAX_TERMS];
    const uint8_t *alive;
    Py_ssize_t slots;
    const int32_t *article_of; /* per passage id: its article's slot and its position */
    const int32_t *position;
} Query;

/* Offer a scored passage: kept while it can still be among the best `limit` (ties too). */
static int offer(Heap *heap, Found *found, int32_t doc, double score, int32_t matched) {
    if (heap_full(heap) && score < heap->values[0])
        return 0;
    heap_offer(heap, score);
    return found_push(found, doc, score, matched);
}

/* The kept passages scoring at least the final k-th best, as a list of rows
   (-score, -matched, article, position): sorting them, with the article's key in place of its
   slot, gives search's order. */
static PyObject *found_result(const Heap *heap, const Found *found, const Query *query) {
    double kth = heap_full(heap) ? heap->values[0] : -HUGE_VAL;
    PyObject *rows = PyList_New(0);
    if (!rows)
        return NULL;
    for (Py_ssize_t i = 0; i < found->size; i++) {
        if (found->scores[i] < kth)
            continue;
        int32_t doc = found->docs[i];
        PyObject *row = Py_BuildValue("(dlll)", -found->scores[i], -(long)found->matched[i],
                                      (long)query->article_of[doc], (long)query->position[doc]);
        if (!row || PyList_Append(rows, row) < 0) {
            Py_XDECREF(row);
            Py_DECREF(rows);
            return NULL;
        }
        Py_DECREF(row);
    }
    return rows;
}

static int get_buffer(PyObject *object, Held *held, Py_ssize_t itemsize, const char *what,
                      int writable) {
    int flags = PyBUF_C_CONTIGUOUS | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(object, &held->view, flags) < 0)
        return -1;
    held->held = 1;
    if (held->view.itemsize != itemsize) {
        PyErr_Format(PyExc_TypeError, "%s: expected items of %zd bytes", what, itemsize);
        return -1;
    }
    return 0;
}

static void release(Held *held, Py_ssize_t count) {
    for (Py_ssize_t i = 0; i < count; i++)
        if (held[i].held)
            PyBuffer_Release(&held[i].view);
}


/* Parse (docs tuple, impacts tuple, weights tuple, alive, article_of, position) into `query`;
   their buffers into `held` (2 * terms + 3 of them). */
static int parse_query(PyObject *const *args, Query *query, Held *held) {
    PyObject *docs = args[0], *impacts = args[1], *weights = args[2];
    if (!PyTuple_Check(docs) || !PyTuple_Check(impacts) || !PyTuple_Check(weights)) {
        PyErr_SetString(PyExc_TypeError, "docs, impacts and weights must be tuples");
        return -1;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(docs);
    if (n < 1 || n > MAX_TERMS || PyTuple_GET_SIZE(impacts) != n ||
        PyTuple_GET_SIZE(weights) != n) {
        PyErr_SetString(PyExc_ValueError, "need 1 to 64 terms, as many docs, impacts, weights");
        return -1;
    }
    query->terms = n;
    for (Py_ssize_t t = 0; t < n; t++) {
        if (get_buffer(PyTuple_GET_ITEM(docs, t), &held[2 * t], 4, "docs", 0) < 0 ||
            get_buffer(PyTuple_GET_ITEM(impacts, t), &held[2 * t + 1], 8, "impacts", 0) < 0)
            return -1;
        query->docs[t] = held[2 * t].view.buf;
        query->impacts[t] = held[2 * t + 1].view.buf;
        query->length[t] = held[2 * t].view.len / 4;
        if (held[2 * t + 1].view.len / 8 != query->length[t]) {
            PyErr_SetString(PyExc_ValueError, "docs and impacts differ in length");
            return -1;
        }
        query->weight[t] = PyFloat_AsDouble(PyTuple_GET_ITEM(weights, t));
        if (query->weight[t] == -1.0 && PyErr_Occurred())
            return -1;
    }
    if (get_buffer(args[3], &held[2 * n], 1, "alive", 0) < 0)
        return -1;
    query->alive = held[2 * n].view.buf;
    query->slots = held[2 * n].view.len;
    if (get_buffer(args[4], &held[2 * n + 1], 4, "article_of", 0) < 0 ||
        get_buffer(args[5], &held[2 * n + 2], 4, "position", 0) < 0)
        return -1;
    if (held[2 * n + 1].view.len / 4 < query->slots || held[2 * n + 2].view.len / 4 < query->slots) {
        PyErr_SetString(PyExc_ValueError, "article_of and position are shorter than alive");
        return -1;
    }
    query->article_of = held[2 * n + 1].view.buf;
    query->position = held[2 * n + 2].view.buf;
    return 0;
}

/* top_all(docs, impacts, weights, alive, article_of, position, scores, counts, limit):
   scores (float64) and counts (uint8) are per-passage scratch, all zero, left all zero. */
static PyObject *top_all(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    Held held[2 * MAX_TERMS + 5] = {{{0}}};
    Query query;
    Found found = {0};
    Heap heap = {0};
    int32_t *touched = NULL;
    PyObject *result = NULL;
    Py_ssize_t used = 0;
    if (nargs != 9) {
        PyErr_SetString(PyExc_TypeError, "top_all takes 9 arguments");
        return NULL;
    }
    if (parse_query(args, &query, held) < 0)
        goto done;
    Held *sbuf = &held[2 * MAX_TERMS + 3], *cbuf = &held[2 * MAX_TERMS + 4];
    if (get_buffer(args[6], sbuf, 8, "scores", 1) < 0 || get_buffer(args[7], cbuf, 1, "counts", 1) < 0)
        goto done;
    if (sbuf->view.len / 8 < query.slots || cbuf->view.len < query.slots) {
        PyErr_SetString(PyExc_ValueError, "scratch buffers are smaller than alive");
        goto done;
    }
    double *scores = sbuf->view.buf;
    uint8_t *counts = cbuf->view.buf; /* matched terms: at most MAX_TERMS */
    heap.limit = PyLong_AsSsize_t(args[8]);
    if (heap.limit < 1) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "limit must be positive");
        goto done;
    }
    Py_ssize_t total = 0;
    for (Py_ssize_t t = 0; t < query.terms; t++)
        total += query.length[t];
    touched = malloc((total ? total : 1) * sizeof(int32_t));
    heap.values = malloc(heap.limit * sizeof(double));
    if (!touched || !heap.values) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t t = 0; t < query.terms; t++) {
        const int32_t *docs = query.docs[t];
        const double *impacts = query.impacts[t];
        double weight = query.weight[t];
        for (Py_ssize_t j = 0; j < query.length[t]; j++) {
            int32_t d = docs[j];
            if ((size_t)d >= (size_t)query.slots)
                goto out_of_range;
            if (counts[d] == 0)
                touched[used++] = d;
            scores[d] += weight * impacts[j];
            counts[d]++;
        }
    }
    int failed = 0;
    for (Py_ssize_t i = 0; i < used; i++) {
        int32_t d = touched[i];
        if (!failed && query.alive[d])
            failed = offer(&heap, &found, d, scores[d], counts[d]) < 0;
        scores[d] = 0.0;
        counts[d] = 0;
    }
    if (!failed)
        result = found_result(&heap, &found, &query);
    goto done;
out_of_range:
    for (Py_ssize_t i = 0; i < used; i++) {
        scores[touched[i]] = 0.0;
        counts[touched[i]] = 0;
    }
    PyErr_SetString(PyExc_ValueError, "a passage id is out of range");
done:
    release(held, 2 * MAX_TERMS + 5);
    free(touched);
    free(heap.values);
    free(found.docs);
    free(found.scores);
    free(found.matched);
    return result;
}

/* The first position at or after `from` whose passage id is >= doc (galloping search). */
static Py_ssize_t advance(const int32_t *docs, Py_ssize_t length, Py_ssize_t from, int32_t doc) {
    if (from >= length || docs[from] >= doc)
        return from;
    Py_ssize_t step = 1, lo = from, hi = from + 1;
    while (hi < length && docs[hi] < doc) {
        lo = hi;
        step *= 2;
        hi = from + step;
    }
    if (hi > length)
        hi = length;
    while (lo + 1 < hi) { /* docs[lo] < doc, and docs[hi] >= doc or hi == length */
        Py_ssize_t mid = lo + (hi - lo) / 2;
        if (docs[mid] < doc)
            lo = mid;
        else
            hi = mid;
    }
    return hi;
}

/* top_maxscore(docs, impacts, weights, alive, article_of, position, bounds, limit): weights
   and bounds all > 0, each bound at least the most its term adds to any passage. */
static PyObject *top_maxscore(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    Held held[2 * MAX_TERMS + 3] = {{{0}}};
    Query query;
    Found found = {0};
    Heap heap = {0};
    PyObject *result = NULL;
    Py_ssize_t order[MAX_TERMS], cursor[MAX_TERMS] = {0};
    double bound[MAX_TERMS], below[MAX_TERMS + 1], part[MAX_TERMS];
    if (nargs != 8) {
        PyErr_SetString(PyExc_TypeError, "top_maxscore takes 8 arguments");
        return NULL;
    }
    if (parse_query(args, &query, held) < 0)
        goto done;
    Py_ssize_t n = query.terms;
    if (!PyTuple_Check(args[6]) || PyTuple_GET_SIZE(args[6]) != n) {
        PyErr_SetString(PyExc_ValueError, "bounds must be a tuple, one per term");
        goto done;
    }
    for (Py_ssize_t t = 0; t < n; t++) {
        bound[t] = PyFloat_AsDouble(PyTuple_GET_ITEM(args[6], t));
        if (bound[t] == -1.0 && PyErr_Occurred())
            goto done;
    }
    heap.limit = PyLong_AsSsize_t(args[7]);
    if (heap.limit < 1) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "limit must be positive");
        goto done;
    }
    heap.values = malloc(heap.limit * sizeof(double));
    if (!heap.values) {
        PyErr_NoMemory();
        goto done;
    }
    /* Terms by increasing bound (insertion sort: a handful of terms); below[i] is the most
       the terms order[0..i-1] can add together. */
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t j = i;
        while (j > 0 && bound[order[j - 1]] > bound[i]) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    below[0] = 0.0;
    for (Py_ssize_t i = 0; i < n; i++)
        below[i + 1] = below[i] + bound[order[i]];
    for (Py_ssize_t t = 0; t < n; t++)
        part[t] = 0.0;
    /* Terms order[0..lookup-1] are only looked up: a passage that holds none of the others
       scores at most below[lookup], less than the k-th best so far. */
    Py_ssize_t lookup = 0;
    double kth = -HUGE_VAL, cut = -HUGE_VAL; /* cut: kth less a margin for rounding */
    for (;;) {
        int32_t doc = INT32_MAX;
        for (Py_ssize_t i = lookup; i < n; i++) {
            Py_ssize_t t = order[i];
            if (cursor[t] < query.length[t] && query.docs[t][cursor[t]] < doc)
                doc = query.docs[t][cursor[t]];
        }
        if (doc == INT32_MAX)
            break;
        if (doc < 0 || doc >= query.slots) {
            PyErr_SetString(PyExc_ValueError, "a passage id is out of range");
            goto done;
        }
        int32_t matched = 0;
        double most = below[lookup];
        for (Py_ssize_t i = lookup; i < n; i++) {
            Py_ssize_t t = order[i];
            if (cursor[t] < query.length[t] && query.docs[t][cursor[t]] == doc) {
                part[t] = query.weight[t] * query.impacts[t][cursor[t]];
                most += part[t];
                matched++;
                cursor[t]++;
            }
        }
        if (!query.alive[doc])
            goto next;
        /* The looked-up terms, most promising first, while the passage can still make it. */
        for (Py_ssize_t i = lookup - 1; i >= 0; i--) {
            if (most < cut)
                goto next;
            Py_ssize_t t = order[i];
            cursor[t] = advance(query.docs[t], query.length[t], cursor[t], doc);
            most -= bound[t];
            if (cursor[t] < query.length[t] && query.docs[t][cursor[t]] == doc) {
                part[t] = query.weight[t] * query.impacts[t][cursor[t]];
                most += part[t];
                matched++;
            }
        }
        if (most < cut)
            goto next;
        double score = 0.0; /* in query order, from 0.0: the numpy path's bits */
        for (Py_ssize_t t = 0; t < n; t++)
            score += part[t];
        if (offer(&heap, &found, doc, score, matched) < 0)
            goto done;
        if (heap_full(&heap) && heap.values[0] > kth) {
            kth = heap.values[0];
            cut = kth - SLACK * fabs(kth);
            while (lookup < n && below[lookup + 1] < cut)
                lookup++;
        }
    next:
        for (Py_ssize_t t = 0; t < n; t++)
            part[t] = 0.0;
    }
    result = found_result(&heap, &found, &query);
done:
    release(held, 2 * MAX_TERMS + 3);
    free(heap.values);
    free(found.docs);
    free(found.scores);
    free(found.matched);
    return result;
}

static PyMethodDef METHODS[] = {
    {"top_all", (PyCFunction)(void (*)(void))top_all, METH_FASTCALL,
     "Exact top passages, scoring every posting (term at a time)."},
    {"top_maxscore", (PyCFunction)(void (*)(void))top_maxscore, METH_FASTCALL,
     "Exact top passages with MaxScore pruning (document at a time); weights > 0."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef MODULE = {
    PyModuleDef_HEAD_INIT, "_scoring", "The compiled inner loop of BM25 top-k search.", -1,
    METHODS,
};

PyMODINIT_FUNC PyInit__scoring(void) { return PyModule_Create(&MODULE); }
