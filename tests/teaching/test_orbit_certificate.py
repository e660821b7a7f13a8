"""Certificates of class figures per orbit (``teaching.orbit_certificate``).

Independent reasons for what is asserted here:

* the histograms of the small cases are those of the full enumeration
  (:func:`teaching.class_figures.class_figures`: every concept's TD by a hitting set over all
  ``2^n`` points), and at larger n the closed forms (Goldman & Kearns: ``k + 2`` for ``k < n``
  literals and ``n + 1`` for ``n``; ``k + 1`` / ``n`` for monotone conjunctions; ``n`` for every
  parity; SPEC section 2);
* a teaching set with a changed point is accepted exactly when brute force over the listed
  class says it still teaches its representative (and its points are distinct);
* every other tampering makes a claim false (an orbit missing, a size against the closed
  form, a label the representative does not give, a TD below the orbit's, a representative
  outside its orbit, a format that is not ``boolicl-orbit-certificate/1``) and must be
  rejected.
"""

import copy
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boolfun.classes import make_class
from boolfun.parse import parse
from boolicl.cli import main
from teaching.certificate import check_certificate
from teaching.class_figures import class_figures
from teaching.orbit_certificate import FORMAT, check_orbit_certificate, make_orbit_certificate
from teaching.orbit_figures import orbit_figures, symmetry

ROUND_TRIP = [
    ("conjunction", 3, {}),
    ("conjunction", 4, {"with_constants": True}),
    ("conjunction", 5, {"k": 2}),
    ("monotone_conjunction", 4, {}),
    ("disjunction", 3, {}),
    ("disjunction", 5, {}),
    ("monotone_disjunction", 5, {}),
    ("parity", 4, {}),
    ("sparse_parity", 5, {"k": 2}),
    ("majority", 3, {}),
    ("majority", 5, {}),
]

LARGE = [("conjunction", 10, {}), ("parity", 12, {}), ("monotone_conjunction", 12, {})]

# tampered at length: symbolic inner certificates (conjunctions), truth-table ones
# (majorities, n <= 10) and GF(2) ones (parities)
TAMPER = [("conjunction", 4, {"with_constants": True}), ("majority", 5, {}), ("parity", 4, {})]


def case_id(case):
    name, n, params = case
    extra = ",".join(f"{k}={v}" for k, v in params.items())
    return f"{name}-n{n}" + (f"-{extra}" if extra else "")


_CACHE = {}


def certified(name, n, **params):
    """``(cls, figures, certificate)``, the certificate after a JSON round trip."""
    key = (name, n, tuple(sorted(params.items())))
    if key not in _CACHE:
        cls = make_class(name, n, **params)
        figs = orbit_figures(cls, rtd=False)
        cert = json.loads(json.dumps(make_orbit_certificate(figs)))
        _CACHE[key] = (cls, figs, cert)
    cls, figs, cert = _CACHE[key]
    return cls, figs, copy.deepcopy(cert)


def rejected(cert, check=None):
    res = check_orbit_certificate(cert)
    assert not res.valid and res.errors
    if check is not None:
        assert res.checks.get(check) is False, res.checks
    return res


def teaches_by_listing(cls, target, xs, ys):
    """Whether ``target`` is the only listed member of ``cls`` labelling ``xs`` as ``ys``."""
    if not (target.evaluate(xs) == ys).all():
        return False
    return sum(bool((f.evaluate(xs) == ys).all()) for f in cls.enumerate()) == 1


# -- round trips ------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ROUND_TRIP, ids=case_id)
def test_round_trip_small(case):
    name, n, params = case
    cls, figs, cert = certified(name, n, **params)
    assert cert["format"] == FORMAT
    res = check_certificate(cert)  # the dispatch on the format
    assert res.valid, res.errors
    assert res.checks == check_orbit_certificate(cert).checks
    assert len(cert["orbits"]) == len(symmetry(cls).keys)
    assert sum(o["size"] for o in cert["orbits"]) == cert["size"] == cls.size()


@pytest.mark.parametrize("case", ROUND_TRIP[:2] + ROUND_TRIP[4:5] + ROUND_TRIP[9:10],
                         ids=case_id)
def test_histogram_is_the_enumerations(case):
    name, n, params = case
    cls, _, cert = certified(name, n, **params)
    listed = class_figures(cls)
    assert cert["histogram"] == {str(t): m for t, m in listed.histogram.items()}
    assert cert["td_max"] == listed.td_max


@pytest.mark.parametrize("case", LARGE, ids=case_id)
def test_round_trip_large(case, tmp_path):
    name, n, params = case
    cls, _, cert = certified(name, n, **params)
    path = tmp_path / "cert.json"
    path.write_text(json.dumps(cert))
    res = check_certificate(path)
    assert res.valid, res.errors
    tds = {o["orbit"]: o["td"] for o in cert["orbits"]}
    if name == "conjunction":
        assert tds == {k: (k + 2 if k < n else n + 1) for k in range(n + 1)}
    elif name == "monotone_conjunction":
        assert tds == {k: (k + 1 if k < n else n) for k in range(n + 1)}
    else:
        assert tds == dict.fromkeys(range(n + 1), n)


# -- tampering --------------------------------------------------------------------------------


def _hist(cert):
    """The histogram recomputed from the certificate's own claims (to tamper consistently)."""
    out = {}
    for o in cert["orbits"]:
        out[o["td"]] = out.get(o["td"], 0) + o["size"]
    cert["histogram"] = {str(t): m for t, m in sorted(out.items())}
    cert["td_max"], cert["td_min"] = max(out), min(out)


@pytest.mark.parametrize("case", TAMPER, ids=case_id)
def test_drop_an_orbit(case):
    cls, _, cert = certified(case[0], case[1], **case[2])
    for i in range(len(cert["orbits"])):
        bad = copy.deepcopy(cert)
        dropped = bad["orbits"].pop(i)
        rejected(bad, "orbits_complete")
        bad["size"] -= dropped["size"]  # and the claims made consistent with the drop
        _hist(bad)
        rejected(bad, "orbits_complete")
    bad = copy.deepcopy(cert)
    bad["orbits"].append(copy.deepcopy(bad["orbits"][0]))  # an orbit listed twice
    rejected(bad, "orbits_complete")


@settings(max_examples=30, deadline=None)
@given(case=st.sampled_from(TAMPER), data=st.data())
def test_change_an_orbit_size(case, data):
    cls, _, cert = certified(case[0], case[1], **case[2])
    i = data.draw(st.integers(0, len(cert["orbits"]) - 1))
    delta = data.draw(st.integers(-3, 3).filter(bool))
    o = cert["orbits"][i]
    o["size"] = max(0, o["size"] + delta)  # every orbit has a concept: still a change
    cert["size"] = sum(p["size"] for p in cert["orbits"])
    _hist(cert)
    rejected(cert, "orbit_sizes")


@settings(max_examples=30, deadline=None)
@given(case=st.sampled_from(TAMPER), data=st.data())
def test_change_a_label(case, data):
    cls, _, cert = certified(case[0], case[1], **case[2])
    with_examples = [o for o in cert["orbits"] if o["certificate"]["examples"]]
    o = data.draw(st.sampled_from(with_examples))
    e = data.draw(st.sampled_from(o["certificate"]["examples"]))
    e["y"] = 1 - e["y"]
    rejected(cert, "orbit_certificates")


@settings(max_examples=40, deadline=None)
@given(case=st.sampled_from(TAMPER), data=st.data())
def test_change_a_point(case, data):
    cls, _, cert = certified(case[0], case[1], **case[2])
    with_examples = [o for o in cert["orbits"] if o["certificate"]["examples"]]
    o = data.draw(st.sampled_from(with_examples))
    e = data.draw(st.sampled_from(o["certificate"]["examples"]))
    bit = data.draw(st.integers(0, cls.n - 1))
    e["x"] = e["x"][:bit] + ("1" if e["x"][bit] == "0" else "0") + e["x"][bit + 1:]
    inner = o["certificate"]
    rep = cls.coerce(parse(inner["target"], cls.n))
    xs = np.array([[int(c) for c in r["x"]] for r in inner["examples"]], dtype=np.uint8)
    ys = np.array([r["y"] for r in inner["examples"]], dtype=np.uint8)
    distinct = len({r["x"] for r in inner["examples"]}) == len(xs)
    still = distinct and teaches_by_listing(cls, rep, xs, ys)
    res = check_orbit_certificate(cert)
    assert res.valid == still, res.errors


@pytest.mark.parametrize("case", TAMPER, ids=case_id)
def test_repeat_a_point(case):
    cls, _, cert = certified(case[0], case[1], **case[2])
    o = next(o for o in cert["orbits"] if len(o["certificate"]["examples"]) >= 2)
    ex = o["certificate"]["examples"]
    ex[1] = dict(ex[0])
    rejected(cert, "distinct_points")


@pytest.mark.parametrize("case", TAMPER, ids=case_id)
def test_claim_a_smaller_td(case):
    cls, _, cert = certified(case[0], case[1], **case[2])
    for i, o in enumerate(cert["orbits"]):
        if o["td"] == 0:
            continue
        bad = copy.deepcopy(cert)  # the orbit's claim only
        bad["orbits"][i]["td"] -= 1
        _hist(bad)
        rejected(bad, "orbit_tds")
        inner = bad["orbits"][i]["certificate"]  # and its certificate's, one point fewer
        inner["td"] -= 1
        inner["examples"].pop()
        rejected(bad, "orbit_certificates")


@settings(max_examples=30, deadline=None)
@given(case=st.sampled_from(TAMPER), data=st.data())
def test_swap_the_representative(case, data):
    cls, figs, cert = certified(case[0], case[1], **case[2])
    sym = figs.symmetry
    i = data.draw(st.integers(0, len(cert["orbits"]) - 1))
    o = cert["orbits"][i]
    concepts = cls.enumerate()
    others = [f for f in concepts if sym.key(f) != o["orbit"]]
    f = data.draw(st.sampled_from(others))
    o["certificate"]["target"] = str(f)  # a concept of another orbit: rejected
    rejected(copy.deepcopy(cert), "representatives")
    # and with the teaching set carried to it, as if that concept's TD were the orbit's
    ex = figs.teaching_set(f)
    o["certificate"]["examples"] = ex.to_json()
    o["certificate"]["td"] = o["td"] = len(ex)
    _hist(cert)
    rejected(cert, "representatives")


@pytest.mark.parametrize("case", TAMPER, ids=case_id)
def test_false_claims_and_formats(case):
    cls, _, cert = certified(case[0], case[1], **case[2])
    assert check_orbit_certificate(cert).valid
    for fmt in ("boolicl-orbit-certificate/2", "boolicl-orbit-certificate/0", 1, None):
        bad = copy.deepcopy(cert)
        bad["format"] = fmt
        res = check_certificate(bad)  # wrong versions reach the orbit checker or are refused
        assert not res.valid and any(e.startswith("format:") for e in res.errors)
    res = check_orbit_certificate({"format": "boolicl-orbit-certificate/2"})
    assert not res.valid and "boolicl-orbit-certificate/1" in res.errors[0]
    bad = copy.deepcopy(cert)
    bad["orbits"][0]["certificate"]["format"] = FORMAT  # no nesting
    rejected(bad, "orbit_certificates")
    bad = copy.deepcopy(cert)
    bad["group"] = "permutations" if cert["group"] != "permutations" else "permutations+flips"
    rejected(bad, "group")
    bad = copy.deepcopy(cert)
    bad["td_max"] += 1
    rejected(bad, "td_max")
    bad = copy.deepcopy(cert)
    t = next(iter(bad["histogram"]))
    bad["histogram"][t] += 1
    rejected(bad, "histogram")
    bad = copy.deepcopy(cert)
    bad["size"] += 1
    rejected(bad, "class_size")
    bad = copy.deepcopy(cert)  # an orbit certificate of another class
    bad["orbits"][0]["certificate"]["class"]["n"] = cls.n + 1
    rejected(bad, "orbit_classes")


def test_malformed_documents_are_invalid_not_raised(tmp_path):
    for doc in ([], {}, {"format": FORMAT}, {"format": FORMAT, "class": {"name": "dnf", "n": 3,
                                                                        "params": {}}}):
        res = check_certificate(doc)
        assert not res.valid and res.errors
    _, _, cert = certified("conjunction", 3)
    cert["orbits"][0]["orbit"] = "two"
    assert "orbits[0].orbit" in check_orbit_certificate(cert).errors[0]
    path = tmp_path / "x.json"
    path.write_text("{")
    assert "is not JSON" in check_orbit_certificate(path).errors[0]


def test_make_refuses_unknown_figures():
    figs = orbit_figures(make_class("conjunction", 6), time_limit=1e-9, rtd=False)
    with pytest.raises(ValueError, match="figs: every orbit's TD must be exact"):
        make_orbit_certificate(figs)


# -- the command line -------------------------------------------------------------------------


def test_cli_writes_and_checks(capsys, tmp_path):
    path = tmp_path / "sub" / "cert.json"
    assert main(["td", "conjunction", "--n", "4", "--certificate", str(path)]) == 0
    assert f"wrote {path}" in capsys.readouterr().out
    doc = json.loads(path.read_text())
    assert doc["format"] == FORMAT and doc["histogram"] == {"2": 1, "3": 8, "4": 24, "5": 48}
    assert main(["check-certificate", str(path)]) == 0
    assert capsys.readouterr().out.startswith("valid")
    doc["orbits"][1]["size"] += 1
    path.write_text(json.dumps(doc))
    assert main(["check-certificate", str(path), "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert not out["valid"] and out["checks"]["orbit_sizes"] is False
    assert main(["td", "parity", "--n", "12", "--certificate", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["certificate_file"] == str(path)
    assert main(["check-certificate", str(path)]) == 0
