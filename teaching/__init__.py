"""teaching: teaching-set constructions, SAT-checked uniqueness and exact teaching dimension
(Goldman & Kearns 1995). Built on the class encodings of :mod:`boolfun.classes`."""
