"""The template check: every parameter a template uses must be one its event gives.

Run when templates are loaded and when they meet their rules, never when a
message is sent.  Two passes over a template's syntax tree:

1. :func:`jinja2.meta.find_undeclared_variables` names every top-level
   parameter the template reads; each must be a field of the event's data,
   ``recipient``, or one of Jinja's globals;
2. :class:`_Walk` follows attribute paths (``return.refund.amount``,
   ``actor.name``, ``line.sku`` inside ``{% for line in return.lines %}``)
   through the event's schema, so that a misspelt field fails too.  Where the
   schema says nothing (a value made with ``{% set %}``, a filter's result),
   anything goes.
"""

from __future__ import annotations

from collections.abc import Iterator

from jinja2 import meta, nodes
from jinja2.sandbox import SandboxedEnvironment

from crm_returns.notifications._parameters import ANYTHING, Shape

__all__ = ["unknown_parameters"]


def unknown_parameters(
    environment: SandboxedEnvironment, tree: nodes.Template, shape: Shape
) -> list[str]:
    """What ``tree`` uses that ``shape`` (the parameters) lacks, one message each."""
    known = shape.fields or ()
    problems = [
        f"unknown parameter {name!r}; the parameters are {', '.join(sorted(known))}"
        for name in sorted(meta.find_undeclared_variables(tree))
        if name not in known and name not in environment.globals
    ]
    scope = {name: shape.field(name) for name in known}
    problems.extend(_Walk(problems=[]).run(tree, scope))
    return list(dict.fromkeys(problems))


class _Walk:
    """Follows attribute paths through the parameters' shapes, collecting what is unknown."""

    def __init__(self, problems: list[str]) -> None:
        self._problems = problems

    def run(self, tree: nodes.Node, scope: dict[str, Shape]) -> list[str]:
        self._visit(tree, scope)
        return self._problems

    def _visit(self, node: nodes.Node, scope: dict[str, Shape]) -> None:
        if isinstance(node, nodes.For):
            self._visit(node.iter, scope)
            inner = dict(scope)
            self._bind(node.target, self._shape(node.iter, scope).items(), inner)
            inner["loop"] = ANYTHING
            for child in [*node.body, *([node.test] if node.test is not None else [])]:
                self._visit(child, inner)
            for child in node.else_:
                self._visit(child, scope)
        elif isinstance(node, nodes.Getattr | nodes.Getitem):
            self._shape(node, scope)
        elif isinstance(node, nodes.Assign | nodes.AssignBlock):
            for child in node.iter_child_nodes(exclude=("target",)):
                self._visit(child, scope)
            self._bind(node.target, ANYTHING, scope)
        elif isinstance(node, nodes.Macro | nodes.CallBlock):
            inner = dict(scope)
            for argument in node.args:
                self._bind(argument, ANYTHING, inner)
            inner.update(caller=ANYTHING, varargs=ANYTHING, kwargs=ANYTHING)
            for child in node.iter_child_nodes(exclude=("args",)):
                self._visit(child, inner)
            if isinstance(node, nodes.Macro):
                scope[node.name] = ANYTHING
        else:
            for child in node.iter_child_nodes():
                self._visit(child, scope)

    def _bind(self, target: nodes.Node, shape: Shape, scope: dict[str, Shape]) -> None:
        for name in _names(target):
            scope[name] = shape if isinstance(target, nodes.Name) else ANYTHING

    def _shape(self, node: nodes.Node, scope: dict[str, Shape]) -> Shape:
        """The shape of an expression's value, reporting each unknown field on the way."""
        if isinstance(node, nodes.Name):
            return scope.get(node.name, ANYTHING)
        key: object = None
        if isinstance(node, nodes.Getattr):
            key, base = node.attr, node.node
        elif isinstance(node, nodes.Getitem):
            base = node.node
            if isinstance(node.arg, nodes.Const):
                key = node.arg.value
            else:
                self._visit(node.arg, scope)
        else:
            self._visit(node, scope)
            return ANYTHING
        shape = self._shape(base, scope)
        if isinstance(key, int) and not isinstance(key, bool):
            return shape.items()
        fields = shape.fields
        if not isinstance(key, str) or fields is None:
            return ANYTHING
        if key not in fields:
            self._problems.append(
                f"unknown parameter {_path(node)!r}; {_path(base)} has {', '.join(fields)}"
            )
            return ANYTHING
        return shape.field(key)


def _names(target: nodes.Node) -> Iterator[str]:
    if isinstance(target, nodes.Name):
        yield target.name
    for child in target.iter_child_nodes():
        yield from _names(child)


def _path(node: nodes.Node) -> str:
    """An expression as a dotted path, such as ``return.refund.amount``."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_path(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        return f"{_path(node.node)}[{node.arg.value!r}]"
    return "(an expression)"
