"""`frozen`: a frozen, slotted dataclass that is about three times cheaper to build.

`@dataclass(frozen=True)` assigns each field through `object.__setattr__`, which costs more
than everything else pitchfree does per field on its hot path (events are built for every
gateway message). Here the instance is built as a mutable twin and then given the frozen class:
same layout, same fields, same equality, hashing and immutability (assigning a field still
raises `FrozenInstanceError`).

The twin is a subclass of the frozen class that adds no slots and stores through `object`'s
`__setattr__`. Switching an instance from a subclass to its base of the same layout is the
cheapest class assignment CPython has; a sibling class with the same slots (the first version)
made it compare the two layouts slot by slot, about a fifth of building a `Message`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, make_dataclass
from typing import Any, TypeVar

T = TypeVar("T")


def frozen(cls: type[T]) -> type[T]:
    """Class decorator: `@dataclass(frozen=True, slots=True)` with cheap construction."""
    frozen_cls = dataclass(frozen=True, slots=True)(cls)
    specs = [
        (f.name, f.type, field(default=f.default, default_factory=f.default_factory, init=f.init))
        for f in fields(frozen_cls)
    ]
    namespace = {"__post_init__": cls.__post_init__} if hasattr(cls, "__post_init__") else {}
    builder = make_dataclass(cls.__name__, specs, slots=True, namespace=namespace)
    if builder.__slots__ != frozen_cls.__slots__:
        return frozen_cls  # layouts differ: keep the plain (slower) frozen dataclass

    names = tuple(f.name for f in fields(frozen_cls) if f.init)
    init = builder.__init__  # dataclass's generated __init__: plain stores, defaults, __post_init__
    twin = type(cls.__name__, (frozen_cls,), {
        "__slots__": (), "__module__": cls.__module__, "__qualname__": frozen_cls.__qualname__,
        "__init__": init, "__setattr__": object.__setattr__, "__delattr__": object.__delattr__,
    })
    new = object.__new__

    def __new__(klass: type[T], *args: Any, **kwargs: Any) -> T:
        obj = new(twin)
        init(obj, *args, **kwargs)
        obj.__class__ = klass
        return obj

    def __reduce__(self: Any) -> tuple:
        return type(self), tuple(getattr(self, name) for name in names)

    frozen_cls.__new__ = __new__
    frozen_cls.__reduce__ = __reduce__
    frozen_cls._twin = twin
    # Fields are set in __new__; object.__init__ (C, accepts the arguments because __new__ is
    # overridden) is cheaper than any Python-level no-op.
    del frozen_cls.__init__
    return frozen_cls


def builder_of(cls: type[T]) -> type:
    """The mutable twin of a `frozen` class, for the hottest constructors.

    `obj = object.__new__(twin)`, then `twin.__init__(obj, *fields)` called as a plain function
    (a class call goes through CPython's slower `tp_init` path) or each field assigned by name
    (the Discord adapter), then `obj.__class__ = cls`. (`twin(*fields)` works too, but fills
    the fields twice.) Falls back to `cls` itself when it has no twin.
    """
    return getattr(cls, "_twin", cls)
