import numpy as np
import pytest

from brainviz.science._numerics import (_adjugate_small, _decay_scan, _expm, _first_order,
                                _inverse_small, _matrix_powers, _solve_small)


def _loop(rate, b):
    y = np.zeros(np.broadcast_shapes(rate.shape, b.shape))
    prev = 0.0
    for k in range(y.shape[-1]):
        prev = np.exp(-rate[..., k]) * prev + b[..., k]
        y[..., k] = prev
    return y


@pytest.mark.parametrize("high", [0.01, 1.0, 40.0])
def test_decay_scan_matches_a_loop(high):
    rng = np.random.default_rng(3)
    rate = rng.uniform(0, high, (1, 700))
    b = rng.normal(size=(4, 700))
    np.testing.assert_allclose(_decay_scan(rate, b), _loop(rate, b), rtol=1e-9, atol=1e-12)


def test_decay_scan_with_per_row_rates():
    rng = np.random.default_rng(4)
    rate = rng.uniform(0, 5, (3, 300))
    b = rng.normal(size=(3, 300))
    np.testing.assert_allclose(_decay_scan(rate, b), _loop(rate, b), rtol=1e-9, atol=1e-12)


def test_first_order_reaches_a_constant_input():
    t = np.linspace(0, 50, 501)
    y = _first_order(np.ones((1, t.size)), np.diff(t), 2.0)
    assert y[0, 0] == 0.0
    np.testing.assert_allclose(y[0], 1 - np.exp(-t / 2.0), atol=1e-12)


def test_expm_and_powers():
    m = np.array([[-1.0, 0.5], [0.2, -3.0]])
    w, v = np.linalg.eig(m)
    exact = (v * np.exp(w)) @ np.linalg.inv(v)
    np.testing.assert_allclose(_expm(m), exact, rtol=1e-12)
    powers = _matrix_powers(_expm(m * 0.1), 11)
    np.testing.assert_allclose(powers[10], exact, rtol=1e-10)
    np.testing.assert_allclose(powers[0], np.eye(2))


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_small_solvers_agree_with_numpy(k):
    rng = np.random.default_rng(k)
    mats = np.eye(k)[None] - 0.3 * rng.uniform(0, 1, (5, k, k)) / k
    rhs = rng.normal(size=(5, k))
    a = [[mats[:, i, j] for j in range(k)] for i in range(k)]
    x = _solve_small(a, [rhs[:, i] for i in range(k)])
    np.testing.assert_allclose(np.stack(x, 1), np.linalg.solve(mats, rhs[..., None])[..., 0])
    inv = np.array(_inverse_small(a)).transpose(2, 0, 1)
    np.testing.assert_allclose(inv, np.linalg.inv(mats), rtol=1e-10)
    adj = np.array([[np.broadcast_to(x, (5,)) for x in row]
                    for row in _adjugate_small(a)]).transpose(2, 0, 1)
    scale = np.linalg.det(mats)[:, None, None] if k <= 3 else 1.0
    np.testing.assert_allclose(adj, np.linalg.inv(mats) * scale, rtol=1e-10)


def test_symmetric_adjugate_matches_the_general_one():
    rng = np.random.default_rng(9)
    x = rng.uniform(0, 0.4, (3, 6))
    a = [[1.0, -x[0], -x[1]], [-x[0], 1.0, -x[2]], [-x[1], -x[2], 1.0]]
    general, sym = _adjugate_small(a), _adjugate_small(a, symmetric=True)
    for i in range(3):
        for j in range(3):
            np.testing.assert_allclose(sym[i][j], general[i][j], rtol=1e-14)
