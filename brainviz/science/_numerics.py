"""Small vectorised numerical kernels used by the model.

Everything here works on numpy arrays with arbitrary leading (batch) dimensions, so
that one call advances many courses at once. Nothing here knows about brains.
"""

from __future__ import annotations

import numpy as np


def _expm(m: np.ndarray) -> np.ndarray:
    """Matrix exponential of a small square matrix (scaling and squaring, Taylor 16).

    Accurate to machine precision for the small, well-scaled rate matrices of the
    pharmacokinetic model; avoids a SciPy dependency.
    """
    m = np.asarray(m, dtype=float)
    norm = np.abs(m).sum(axis=-1).max()
    squarings = max(0, int(np.ceil(np.log2(norm))) + 1) if norm > 0.5 else 0
    a = m / (2.0**squarings)
    result = np.eye(m.shape[-1])
    term = np.eye(m.shape[-1])
    for k in range(1, 17):
        term = term @ a / k
        result = result + term
    for _ in range(squarings):
        result = result @ result
    return result


def _matrix_powers(phi: np.ndarray, n: int) -> np.ndarray:
    """Return ``phi**k`` for ``k = 0 .. n-1`` as an ``(n, d, d)`` array.

    Uses repeated doubling, so the cost is ``log2(n)`` batched matrix products
    instead of ``n`` sequential ones.
    """
    d = phi.shape[-1]
    powers = np.eye(d)[None, :, :]
    step = phi.copy()
    while powers.shape[0] < n:
        powers = np.concatenate([powers, powers @ step], axis=0)
        step = step @ step
    return powers[:n]


def _decay_scan(rate: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Solve ``y[k] = exp(-rate[k]) * y[k-1] + b[k]`` along the last axis, ``y[-1] = 0``.

    Closed form ``y[k] = sum_j b[j] exp(-(L[k] - L[j]))`` with ``L = cumsum(rate)``,
    evaluated block by block so that no exponent exceeds ``_SPAN``: a handful of
    vector operations per element instead of a Python loop over time steps.
    ``rate`` (>= 0) may have fewer leading rows than ``b`` (a shared decay); the
    exponentials are then computed once for all rows. ``y`` is written into ``out``
    if given (shape of ``rate`` and ``b`` broadcast); the work is done in place there,
    since allocating large temporaries costs about as much as the arithmetic.
    """
    # a step that decays by more than e**-_MAX_STEP_RATE forgets the past completely in
    # double precision anyway; capping it keeps every block's exponents finite
    rate = np.minimum(np.asarray(rate, dtype=float), _MAX_STEP_RATE)
    b = np.asarray(b, dtype=float)
    shape = np.broadcast_shapes(rate.shape, b.shape)
    log_decay = np.cumsum(rate, axis=-1)
    top = log_decay.reshape(-1, shape[-1]).max(axis=0)
    y = np.empty(shape) if out is None else out
    carry = None
    start, n = 0, shape[-1]
    while start < n:
        stop = int(np.searchsorted(top, top[start] + _SPAN, side="right"))
        stop = max(stop, start + 1)
        ref = log_decay[..., start:start + 1] - rate[..., start:start + 1]  # L just before
        grow = np.exp(log_decay[..., start:stop] - ref)
        seg = y[..., start:stop]
        np.multiply(b[..., start:stop], grow, out=seg)
        np.cumsum(seg, axis=-1, out=seg)
        if carry is not None:
            seg += carry
        seg /= grow
        carry = seg[..., -1:].copy()
        start = stop
    return y


_SPAN = 600.0  # largest exponent inside one block of _decay_scan (e**600 ~ 1e260)
_MAX_STEP_RATE = 60.0  # e**-60 ~ 1e-26: a longer step adds at most this to a block's span


def _first_order(u: np.ndarray, dt: np.ndarray, tau: np.ndarray | float) -> np.ndarray:
    """Exact first-order low-pass ``tau dy/dt = u - y`` on a non-uniform grid.

    ``u`` has shape ``(..., n)`` on the grid points, ``dt`` (length ``n - 1``) the
    spacings, ``tau`` broadcasts against the batch dimensions (shape ``(..., 1)``).
    The input is taken as the mean of its two end points over each step, and
    ``y`` starts at 0 (the resting level of every deviation the model filters).
    """
    rate = dt / np.asarray(tau, dtype=float)
    factor = -0.5 * np.expm1(-rate)  # small when the rate is shared by all rows
    drive = np.add(u[..., 1:], u[..., :-1])
    if np.broadcast_shapes(drive.shape, factor.shape) == drive.shape:
        drive *= factor
    else:  # a per-row time constant on a shared input
        drive = drive * factor
    y = np.empty(np.broadcast_shapes(u.shape, rate.shape[:-1] + (u.shape[-1],)))
    y[..., 0] = 0.0
    _decay_scan(rate, drive, out=y[..., 1:])
    return y


def _solve_small(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Solve ``a @ x = b`` for many small systems at once.

    ``a`` has shape ``(k, k, ...)`` and ``b`` shape ``(k, ...)``: the system index
    comes first and any batch shape follows, so each elimination step is one
    vector operation over the whole batch; returns the list of the ``k``
    solution arrays. Gaussian elimination without
    pivoting: the model only passes diagonally dominant matrices ``I - W`` of
    stable sub-networks.
    """
    k = len(a)
    a = [list(row) for row in a]  # rebinding below never writes into the callers' arrays
    b = list(b)
    for p in range(k):
        for i in range(p + 1, k):
            f = a[i][p] / a[p][p]
            for j in range(p, k):
                a[i][j] = a[i][j] - f * a[p][j]
            b[i] = b[i] - f * b[p]
    x = [None] * k
    for i in reversed(range(k)):
        s = b[i]
        for j in range(i + 1, k):
            s = s - a[i][j] * x[j]
        x[i] = s / a[i][i]
    return x


def _inverse_small(a) -> list:
    """Inverse of many small matrices at once (Gauss-Jordan, no pivoting).

    ``a[i][j]`` are arrays (or numbers) that broadcast together; returns the inverse
    as nested lists of arrays. Same conditions as :func:`_solve_small`.
    """
    k = len(a)
    if k == 2:
        det = a[0][0] * a[1][1] - a[0][1] * a[1][0]
        return [[a[1][1] / det, -a[0][1] / det], [-a[1][0] / det, a[0][0] / det]]
    if k == 3:  # adjugate over determinant: about 40 vector operations
        adj = [[a[(j + 1) % 3][(i + 1) % 3] * a[(j + 2) % 3][(i + 2) % 3]
                - a[(j + 1) % 3][(i + 2) % 3] * a[(j + 2) % 3][(i + 1) % 3]
                for j in range(3)] for i in range(3)]
        det = a[0][0] * adj[0][0] + a[0][1] * adj[1][0] + a[0][2] * adj[2][0]
        return [[adj[i][j] / det for j in range(3)] for i in range(3)]
    a = [list(row) for row in a]
    inv = [[1.0 if i == j else 0.0 for j in range(k)] for i in range(k)]
    for p in range(k):
        piv = a[p][p]
        a[p] = [x / piv for x in a[p]]
        inv[p] = [x / piv for x in inv[p]]
        for i in range(k):
            if i != p:
                f = a[i][p]
                a[i] = [x - f * y for x, y in zip(a[i], a[p])]
                inv[i] = [x - f * y for x, y in zip(inv[i], inv[p])]
    return inv


def _adjugate_small(a, symmetric: bool = False) -> list:
    """Adjugate (inverse times determinant) of many small matrices at once.

    Closed form for 2x2 and 3x3; larger matrices fall back to the inverse, which
    differs by the positive determinant factor for the positive-definite matrices
    the model passes (callers only use ratios). With ``symmetric=True`` only the
    upper triangle is computed and mirrored.
    """
    k = len(a)
    if k == 3 and symmetric:
        adj = [[None] * 3 for _ in range(3)]
        for i in range(3):
            for j in range(i, 3):
                adj[i][j] = adj[j][i] = (
                    a[(j + 1) % 3][(i + 1) % 3] * a[(j + 2) % 3][(i + 2) % 3]
                    - a[(j + 1) % 3][(i + 2) % 3] * a[(j + 2) % 3][(i + 1) % 3])
        return adj
    if k == 1:
        return [[np.ones_like(a[0][0])]]
    if k == 2:
        return [[a[1][1], -a[0][1]], [-a[1][0], a[0][0]]]
    if k == 3:
        return [[a[(j + 1) % 3][(i + 1) % 3] * a[(j + 2) % 3][(i + 2) % 3]
                 - a[(j + 1) % 3][(i + 2) % 3] * a[(j + 2) % 3][(i + 1) % 3]
                 for j in range(3)] for i in range(3)]
    return _inverse_small(a)


def _saturating(a: np.ndarray, dt: np.ndarray, tau) -> np.ndarray:
    """Solve ``dy/dt = a (1 - y) - y / tau`` from ``y = 0``, exactly per grid step.

    ``a`` (>= 0) holds the rate on each of the ``n - 1`` steps (shape ``(..., n - 1)``),
    ``dt`` the step lengths and ``tau`` (> 0, may be ``inf``) the recovery time
    constant, broadcasting against the batch dimensions. Returns ``y`` on the ``n``
    grid points; ``0 <= y < 1`` always. One :func:`_decay_scan`, no loop over time.
    """
    a = np.asarray(a, dtype=float)
    if not a.any():  # never driven: stays at 0
        return np.zeros(np.broadcast_shapes(a.shape[:-1], np.shape(tau)[:-1] or ())
                        + (a.shape[-1] + 1,))
    lam = a + 1.0 / np.asarray(tau, dtype=float)
    x = lam * dt
    # (1 - exp(-x)) / x, continued to 1 at x = 0
    phi = np.where(x > 1e-12, -np.expm1(-x) / np.where(x > 1e-12, x, 1.0), 1.0)
    shape = np.broadcast_shapes(a.shape, x.shape)
    pad = [(0, 0)] * (len(shape) - 1) + [(1, 0)]
    rate = np.pad(np.broadcast_to(x, shape), pad)
    b = np.pad(np.broadcast_to(a * dt * phi, shape), pad)
    return _decay_scan(rate, b)
